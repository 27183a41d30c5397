export { startAzurite } from './azurite';
