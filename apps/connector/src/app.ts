// The connector app is the bridge library's entry (every mode: hono, aws, azure); main.ts runs it.
export { connectorEntry } from '@ledge/connector/feature-bridge';
