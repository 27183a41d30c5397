// The sizes and prefixes MQTT fixes for topics. MQTT 3.1.1 and 5 agree on all of them.

export const TOPIC_LIMITS = Object.freeze({
  /**
   * [MQTT-4.7.3-3] (MQTT 5: §1.5.4) a topic name or filter encodes to at most 65535 bytes of UTF-8: the
   * bytes count, not the characters ('€' is 3 bytes, '😀' 4). A shared subscription's `$share/<group>/`
   * prefix is part of the filter on the wire, so it counts too.
   */
  maxBytes: 65_535,
});

/** MQTT 5 §4.8.2: a topic filter starting with this is a shared subscription, `$share/<group>/<filter>`. */
export const SHARED_SUBSCRIPTION_PREFIX = '$share/';
