/** The fault generator: realistic corruptions of gold SQL for the `repair` task mode and the bandit bench. */
export type { Fault, FaultKind } from './fault-kind.js';
export { FAULT_KINDS, FAULT_KIND_NAMES, faultKindByName } from './fault-kinds.js';
export { generateFaults } from './generate-faults.js';
export { createFaultInjector, executeFaults, faultSeed, type ExecutedFault, type FaultCheckContext, type FaultInjectorOptions } from './fault-injector.js';
export { isDifferentResult, isOrderedGold } from './result-diff.js';
