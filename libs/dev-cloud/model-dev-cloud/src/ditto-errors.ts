// The errors of Ditto's things and messages APIs that the development cloud answers with (issue 24), with
// Ditto's own codes, statuses and texts (Ditto's ThingNotAccessibleException and its siblings,
// MessageTimeoutException, TimeoutInvalidException), so curl output reads as it would against Ditto.
import { dittoError, type DittoErrorValue, type KnownDittoErrorCode } from '@ledge/shared/model-ditto';

export type DittoError = DittoErrorValue & { readonly description: string };

/** The status comes from model-ditto's one table of codes and statuses. */
const err = (code: KnownDittoErrorCode, message: string, description: string): DittoError => dittoError(code, message, description) as DittoError;
const PERMS = ' or the requester had insufficient permissions to access it.';

export const DittoErrors = Object.freeze({
  thingNotFound: (thingId: string) =>
    err('things:thing.notfound', `The Thing with ID '${thingId}' could not be found${PERMS}`, 'Check if the ID of your requested Thing was correct and you have sufficient permissions.'),
  thingConflict: (thingId: string) => err('things:thing.conflict', `The Thing with ID '${thingId}' already exists`, 'Choose another Thing ID.'),
  thingIdInvalid: (thingId: string) =>
    err('things:id.invalid', `The Thing ID '${thingId}' is not valid!`, 'It must conform to the namespaced entity ID notation (see Ditto documentation)'),
  thingIdNotSettable: () =>
    err('things:id.notsettable', 'The Thing ID in the request body is not equal to the Thing ID in the request URL.', 'Either delete the Thing ID from the request body or use the same Thing ID as in the request URL.'),
  attributesNotFound: (thingId: string) => err('things:attributes.notfound', `The Attributes of the Thing with ID '${thingId}' do not exist${PERMS}`, 'Check if the ID of the Thing was correct and you have sufficient permissions.'),
  attributeNotFound: (thingId: string, pointer: string) =>
    err('things:attribute.notfound', `The attribute with key '${pointer}' on the thing with ID '${thingId}' could not be found${PERMS}`, 'Check if the ID of the Thing and the key of your requested attribute was correct and you have sufficient permissions.'),
  definitionNotFound: (thingId: string) => err('things:definition.notfound', `The definition of the Thing with ID '${thingId}' could not be found${PERMS}`, 'Check if the ID of the Thing was correct and you have sufficient permissions.'),
  policyIdNotFound: (thingId: string) => err('things:policyId.notfound', `The Policy ID of the Thing with ID '${thingId}' could not be found${PERMS}`, 'Check if the ID of the Thing was correct and you have sufficient permissions.'),
  featuresNotFound: (thingId: string) => err('things:features.notfound', `The Features on the Thing with ID '${thingId}' do not exist${PERMS}`, 'Check if the ID of the Thing was correct and you have sufficient permissions.'),
  featureNotFound: (thingId: string, featureId: string) =>
    err('things:feature.notfound', `The Feature with ID '${featureId}' on the Thing with ID '${thingId}' could not be found${PERMS}`, 'Check if the ID of the Thing and the ID of your requested Feature was correct and you have sufficient permissions.'),
  featureDefinitionNotFound: (thingId: string, featureId: string) =>
    err('things:feature.definition.notfound', `The Definition of the Feature with ID '${featureId}' on the Thing with ID '${thingId}' does not exist${PERMS}`, 'Check if the ID of the Thing and the Feature ID was correct and you have sufficient permissions.'),
  propertiesNotFound: (thingId: string, featureId: string, desired: boolean) =>
    desired
      ? err('things:feature.desiredProperties.notfound', `The desired properties of the Feature with ID '${featureId}' on the Thing with ID '${thingId}' do not exist${PERMS}`, 'Check if the ID of the Thing and the Feature ID was correct and you have sufficient permissions.')
      : err('things:feature.properties.notfound', `The Properties of the Feature with ID '${featureId}' on the Thing with ID '${thingId}' do not exist${PERMS}`, 'Check if the ID of the Thing and the Feature ID was correct and you have sufficient permissions.'),
  propertyNotFound: (thingId: string, featureId: string, pointer: string, desired: boolean) =>
    err(desired ? 'things:feature.desiredProperty.notfound' : 'things:feature.property.notfound',
      `The ${desired ? 'desired property' : 'property'} with JSON Pointer '${pointer}' of the Feature with ID '${featureId}' on the Thing with ID '${thingId}' does not exist${PERMS}`,
      'Check if the ID of the Thing, the Feature ID and the key of your requested property was correct and you have sufficient permissions.',
    ),
  jsonInvalid: (message: string) => err('json.invalid', message, 'Check if the JSON was valid and if it was in required format.'),
  pointerInvalid: (message: string) => err('json.pointer.invalid', message, 'Check that the path is a JSON pointer of object keys (escape "/" as "~1" and "~" as "~0").'),
  commandInvalid: (message: string) => err('things:command.invalid', message, 'Send a twin command (create, modify, merge or delete) at a path of the Thing.'),
  tooLarge: (message: string) => err('things:thing.toolarge', message, 'Reduce the size of the Thing or of the request.'),
  tooManyThings: (max: number) => err('things:thing.toomany', `The development cloud keeps at most ${max} Things.`, 'Delete Things that are no longer needed.'),
  messageTimeout: (seconds: number) =>
    err('messages:message.timeout', `The Message reached the specified timeout of ${seconds} seconds.`, 'Try increasing the Message timeout or ensure that the recipient of the Message responds in time.'),
  timeoutInvalid: (given: string, maxSeconds: number) => err('timeout.invalid', `The timeout <${given}> is not inside its allowed bounds <0s - ${maxSeconds}s>`, 'Please choose a valid timeout.'),
  subjectInvalid: (subject: string) => err('messages:subject.invalid', `The subject <${subject}> is invalid.`, 'Make sure the subject is not empty and is a valid URI path.'),
  requestTooLarge: (maxBytes: number) => err('request.toolarge', `The request body is larger than ${maxBytes} bytes.`, 'Send a smaller request.'),
  unauthorized: () => err('gateway:authentication.failed', 'Multiple authentication mechanisms were applicable but none succeeded.', 'Send HTTP basic auth with the configured user and password.'),
  notFound: (path: string) => err('gateway:resource.notfound', `The resource '${path}' does not exist.`, 'Check the path of the request against the Ditto HTTP API.'),
  methodNotAllowed: (method: string) => err('gateway:method.notallowed', `The method '${method}' is not supported here.`, 'The development cloud\'s Ditto API is read-only, except for messages.'),
  unavailable: () => err('things:thing.unavailable', 'The Thing with the given ID is not available, please try again later.', 'The development cloud is shutting down.'),
});
