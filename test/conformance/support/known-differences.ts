import { Difference } from './compare';

/**
 * THE ONE PLACE where differences between Docker's and Berth's images are accepted. Nothing is
 * filtered anywhere else: a difference that no entry here matches fails its case, and each
 * accepted one is printed (as a test diagnostic) with its reason.
 */
export interface ExpectedDifference {
  id: string;
  reason: string;
  /** The cases it may occur in; omitted: any case. */
  cases?: string[];
  matches(difference: Difference): boolean;
}

/** Differences that are Docker 20.10's (BuildKit 0.8's) behaviour, not Berth bugs. */
export const EXPECTED_DIFFERENCES: ExpectedDifference[] = [
  {
    id: 'buildkit-0.8-mount-stubs',
    reason:
      'Docker 20.10 (BuildKit 0.8) leaves in a RUN layer the empty directories runc created as mount points ' +
      '(/dev, /proc, /sys, and /etc for /etc/hosts and /etc/resolv.conf) when the image lacked them; later BuildKit ' +
      'versions remove them again, and so does Berth (run/mount-stubs.ts), since they are not part of the image',
    matches: (d) => d.kind === 'docker-only' && ['dev', 'proc', 'sys', 'etc'].includes(d.path) && d.docker === 'dir 0755 0:0',
  },
];

/**
 * Cases known to fail because of Berth bugs in files this suite's author may not edit (or
 * features being written): the case still runs and prints its differences, as a `todo`.
 */
export interface KnownFailure {
  case: string;
  reason: string;
  /** The change that fixes it: file, function, what to do. */
  fix: string;
}

/** Empty: every case built so far matches Docker, or differs only as EXPECTED_DIFFERENCES says. */
export const KNOWN_FAILURES: KnownFailure[] = [];

export function expectedDifference(caseName: string, difference: Difference): ExpectedDifference | undefined {
  return EXPECTED_DIFFERENCES.find((entry) => (!entry.cases || entry.cases.includes(caseName)) && entry.matches(difference));
}

export function knownFailure(caseName: string): KnownFailure | undefined {
  return KNOWN_FAILURES.find((entry) => entry.case === caseName);
}
