// The install's steps in order: the runner runs whatever this list holds, in this order. The steps' own files
// carry no numbers, so this list is the one place the order is written.
import type { Step } from '../plan';
import { buildStep } from './build';
import { copyStep } from './copy';
import { finishStep } from './finish';
import { hardwareConfigStep } from './hardware-config';
import { installStep } from './install';
import { createMountStep, type MountHooks } from './mount';
import { createPartitionStep } from './partition';
import { preflightStep } from './preflight';
import { verifyStep } from './verify';

/** Seams for kernels without vfat (the namespace test target); none in production. */
export type StepHooks = MountHooks;

/** The ordered steps of an install. */
export function installSteps(hooks: StepHooks = {}): Step[] {
  return [
    preflightStep,
    createPartitionStep(),
    createMountStep(hooks),
    hardwareConfigStep,
    buildStep,
    copyStep,
    installStep,
    verifyStep,
    finishStep,
  ];
}

export const INSTALL_STEPS: readonly Step[] = installSteps();
