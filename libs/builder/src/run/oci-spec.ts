/** What a RUN step executes, already resolved against the image (numeric user, full env). */
export interface RunProcess {
  args: string[];
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  additionalGids: number[];
}

export interface RunHostFiles {
  hostsFile: string;
  resolvConf: string;
}

/** Docker's default capability set for containers, which RUN steps get too. */
const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Mount destinations the runtime may create in the rootfs; they must not leak into the layer. */
export const RUN_MOUNT_DESTINATIONS = ['/proc', '/dev', '/sys', '/etc/hosts', '/etc/resolv.conf'];

/**
 * The OCI runtime spec of a RUN step: its own pid, ipc, uts and mount namespaces, the host's
 * network (builds fetch packages), and the host's resolv.conf and a hosts file bound read-only.
 */
export function runtimeSpec(rootfs: string, step: RunProcess, hostFiles: RunHostFiles): Record<string, unknown> {
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: step.uid, gid: step.gid, additionalGids: step.additionalGids },
      args: step.args,
      env: step.env,
      cwd: step.cwd,
      capabilities: Object.fromEntries(
        ['bounding', 'effective', 'permitted'].map((set) => [set, DEFAULT_CAPABILITIES]),
      ),
      noNewPrivileges: false,
    },
    root: { path: rootfs, readonly: false },
    hostname: 'buildkitsandbox',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/etc/hosts', type: 'bind', source: hostFiles.hostsFile, options: ['rbind', 'ro'] },
      { destination: '/etc/resolv.conf', type: 'bind', source: hostFiles.resolvConf, options: ['rbind', 'ro'] },
    ],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      maskedPaths: ['/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware'],
      readonlyPaths: ['/proc/asound', '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}
