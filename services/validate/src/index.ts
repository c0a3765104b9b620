export { startValidate, type ValidateDeps } from './validate-service.ts';
export { createContractStep } from './contract-step.ts';
