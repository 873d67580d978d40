import { InstanceStatus } from '@berth/db';
import { BerthLabel } from '@berth/runtime';

export interface PlannedInstance {
  id: string;
  status: InstanceStatus;
  releaseId: string;
  processType: string;
}

export interface ReconcilePlan {
  /** Starting with no deploy holding the app: left by a worker that stopped mid-deploy. */
  abandoned: string[];
  /** Instances to start per process type so the current release runs its formation. */
  missing: Record<string, number>;
  /** Out of the rotation already (unhealthy, draining) or of an older release: drained and stopped once the missing ones serve. */
  retire: string[];
  /** Containers of this app that no live instance owns. */
  strays: string[];
}

/**
 * Desired (the current release's formation) against actual (instances and containers) for
 * one app no deploy is working on. Pure, so every case is tested without Docker.
 */
export function planReconcile(input: {
  desired: Record<string, number>;
  currentReleaseId: string | null;
  instances: PlannedInstance[];
  containers: Array<{ id: string; labels: Record<string, string> }>;
}): ReconcilePlan {
  const { desired, currentReleaseId, instances } = input;
  const live = new Set(instances.filter((i) => i.status !== InstanceStatus.Starting).map((i) => i.id));
  const serving = instances.filter((i) => i.status === InstanceStatus.Running && i.releaseId === currentReleaseId);
  const missing: Record<string, number> = {};
  if (currentReleaseId) {
    for (const [process, count] of Object.entries(desired)) {
      const running = serving.filter((i) => i.processType === process).length;
      if (running < count) missing[process] = count - running;
    }
  }
  const outdated = (i: PlannedInstance) => i.status === InstanceStatus.Running && currentReleaseId !== null && i.releaseId !== currentReleaseId;
  return {
    abandoned: instances.filter((i) => i.status === InstanceStatus.Starting).map((i) => i.id),
    missing,
    retire: instances.filter((i) => i.status === InstanceStatus.Unhealthy || i.status === InstanceStatus.Draining || outdated(i)).map((i) => i.id),
    strays: input.containers.filter((c) => !live.has(c.labels[BerthLabel.Instance] ?? '')).map((c) => c.id),
  };
}
