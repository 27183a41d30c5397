// Connection facts of aws-connector (§2.2) the app needs besides the mapping.

/** §2.2: aws-connector's default tenant. */
export const AWS_DEFAULT_TENANT_ID = 'default-tenant-id';

export interface AwsConnectionDefaults {
  readonly tenantId: string;
  /** The MQTT client ID at AWS IoT Core: `clientId` if set, else the device ID (§2.2). */
  readonly clientId: string;
}

/** Fills aws-connector's defaults: tenant `default-tenant-id`, client ID = device ID. */
export function awsConnectionDefaults(options: { deviceId: string; clientId?: string; tenantId?: string }): AwsConnectionDefaults {
  return {
    tenantId: options.tenantId || AWS_DEFAULT_TENANT_ID,
    clientId: options.clientId || options.deviceId,
  };
}
