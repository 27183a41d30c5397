// Which Device Shadow holds which part of a twin (§2.2, Kanto's aws-connector naming): model-twins'
// section names, the classic shadow being the classic section (the gateway's attributes) and every other
// section the named shadow of that name; the names the mapping made itself are remembered in
// model-twins' section registry, since reading a name back is ambiguous once IDs contain ':'. What is
// AWS's own is which names a shadow may have.

/** AWS IoT shadow names: letters, digits, `:`, `_`, `-`, at most 64 bytes (AWS IoT "Device Shadow service"). */
const SHADOW_NAME = /^[a-zA-Z0-9:_-]{1,64}$/;

export function isValidShadowName(name: string): boolean {
  return SHADOW_NAME.test(name);
}
