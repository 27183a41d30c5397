/** §2.3: azure-connector's default tenant. */
export const AZURE_DEFAULT_TENANT_ID = 'defaultTenant';
