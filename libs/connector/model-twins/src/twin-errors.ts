// Ditto's "things" error values (Ditto protocol "errors"; the codes Kanto's local-digital-twins answers
// with, plus those of the scopes Ledge supports beyond Kanto). Protocol errors keep Ditto's code and status.
import { dittoError, type DittoErrorValue, type KnownDittoErrorCode } from '@ledge/shared/model-ditto';

export const TwinErrorCodes = Object.freeze({
  thingNotFound: 'things:thing.notfound',
  thingConflict: 'things:thing.conflict',
  idNotSettable: 'things:id.notsettable',
  idInvalid: 'things:id.invalid',
  attributesNotFound: 'things:attributes.notfound',
  attributeNotFound: 'things:attribute.notfound',
  definitionNotFound: 'things:definition.notfound',
  policyIdNotDeletable: 'things:policyId.notdeletable',
  featuresNotFound: 'things:features.notfound',
  featureNotFound: 'things:feature.notfound',
  featureDefinitionNotFound: 'things:feature.definition.notfound',
  propertiesNotFound: 'things:feature.properties.notfound',
  propertyNotFound: 'things:feature.property.notfound',
  desiredPropertiesNotFound: 'things:feature.desiredProperties.notfound',
  desiredPropertyNotFound: 'things:feature.desiredProperty.notfound',
  jsonInvalid: 'json.invalid',
  pointerInvalid: 'json.pointer.invalid',
  fieldSelectorInvalid: 'json.fieldselector.invalid',
} as const satisfies Record<string, KnownDittoErrorCode>);
export type TwinErrorCode = (typeof TwinErrorCodes)[keyof typeof TwinErrorCodes];

/** `{"status":404,"error":"things:thing.notfound","message":"..."}` with model-ditto's status for the code. */
export function twinError(code: TwinErrorCode, message: string, description?: string): DittoErrorValue {
  return dittoError(code, message, description);
}

/** The not-found error of a scope, with Kanto's messages. */
export const notFound = Object.freeze({
  thing: (thingId: string) =>
    twinError(TwinErrorCodes.thingNotFound, `The Thing with ID '${thingId}' could not be found.`, 'Check if the ID of your requested Thing was correct.'),
  features: (thingId: string) =>
    twinError(TwinErrorCodes.featuresNotFound, `The Features on the Thing with ID '${thingId}' do not exist.`, 'Check if the ID of the Thing was correct.'),
  feature: (thingId: string, featureId: string) =>
    twinError(
      TwinErrorCodes.featureNotFound,
      `The Feature with ID '${featureId}' on the Thing with ID '${thingId}' could not be found.`,
      'Check if the ID of the Thing and the ID of your requested Feature was correct.',
    ),
  featureDefinition: (thingId: string, featureId: string) =>
    twinError(TwinErrorCodes.featureDefinitionNotFound, `The definition of the Feature with ID '${featureId}' on the Thing with ID '${thingId}' does not exist.`),
  properties: (thingId: string, featureId: string, desired: boolean) =>
    desired
      ? twinError(TwinErrorCodes.desiredPropertiesNotFound, `The desired properties of the Feature with ID '${featureId}' on the Thing with ID '${thingId}' do not exist.`, PROPERTIES_HINT)
      : twinError(TwinErrorCodes.propertiesNotFound, `The Properties of the Feature with ID '${featureId}' on the Thing with ID '${thingId}' do not exist.`, PROPERTIES_HINT),
  property: (thingId: string, featureId: string, pointer: string, desired: boolean) =>
    twinError(
      desired ? TwinErrorCodes.desiredPropertyNotFound : TwinErrorCodes.propertyNotFound,
      `The ${desired ? 'desired property' : 'property'} with JSON Pointer '${pointer}' of the Feature with ID '${featureId}' on the Thing with ID '${thingId}' does not exist.`,
      'Check if the ID of the Thing, the Feature ID and the key of your requested property was correct.',
    ),
  attributes: (thingId: string) => twinError(TwinErrorCodes.attributesNotFound, `The Attributes of the Thing with ID '${thingId}' do not exist.`),
  attribute: (thingId: string, pointer: string) =>
    twinError(TwinErrorCodes.attributeNotFound, `The attribute with key '${pointer}' on the Thing with ID '${thingId}' could not be found.`),
  definition: (thingId: string) => twinError(TwinErrorCodes.definitionNotFound, `The definition of the Thing with ID '${thingId}' does not exist.`),
});

const PROPERTIES_HINT = 'Check if the ID of the Thing and the Feature ID was correct.';

export function invalidJson(problem: string): DittoErrorValue {
  return twinError(TwinErrorCodes.jsonInvalid, `Failed to parse command value: ${problem}.`, 'Check if the JSON was valid and if it was in required format.');
}
