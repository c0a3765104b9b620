export { startValidate, validateGroup, validateMigrations, type ValidateDeps } from './validate-service.ts';
export { createContractStep } from './contract-step.ts';
export { expireHolds, HOLD_DAYS } from './expire-holds.ts';
