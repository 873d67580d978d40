import { BASE, ConformanceCase } from '../support/case';

/** USER and the instructions that only change the image config. */
export const METADATA_CASES: ConformanceCase[] = [
  {
    name: 'user-run-ownership',
    covers: 'USER by name, uid:gid without passwd entry, name:group; files RUN creates get that owner; supplementary groups',
    dockerfile: [
      `FROM ${BASE}`,
      'RUN mkdir -m 1777 /shared && mkdir -p /home/app && chown app:app /home/app',
      'USER app',
      'RUN touch /shared/by-app && mkdir /shared/app-dir && touch /home/app/home-file && id > /shared/id-app',
      'USER 1234:5678',
      'RUN touch /shared/by-numeric && id > /shared/id-numeric',
      'USER app:staff',
      'RUN touch /shared/by-app-staff && id > /shared/id-app-staff',
      'USER svc',
      'RUN id > /shared/id-svc',
      'USER root',
      'RUN id > /shared/id-root',
      'USER app',
    ].join('\n'),
  },
  {
    name: 'volume',
    covers: 'VOLUME in all forms; files written into a volume path after VOLUME are kept (BuildKit)',
    files: { 'a.txt': 'a\n' },
    dockerfile: [
      `FROM ${BASE}`,
      'RUN mkdir /data && echo before > /data/before',
      'VOLUME /data',
      'VOLUME ["/logs", "/cache"]',
      'VOLUME /a /b',
      'RUN echo after > /data/after',
      'COPY a.txt /logs/',
    ].join('\n'),
  },
  {
    name: 'expose',
    covers: 'EXPOSE ports, protocols, ranges, from ENV, duplicates',
    dockerfile: [`FROM ${BASE}`, 'ENV PORT=8080', 'EXPOSE 80 443/tcp 53/udp 8000-8002', 'EXPOSE $PORT 80/tcp', 'EXPOSE 9000/sctp'].join('\n'),
  },
  {
    name: 'labels',
    covers: 'LABEL: several per line, quoted keys, continuation lines, override, from ARG, inherited from a stage',
    dockerfile: [
      `FROM ${BASE} AS parent`,
      'LABEL inherited=yes a=parent',
      'FROM parent',
      'LABEL a=1 b="two words" "c d"=e',
      'LABEL multi="line1 \\',
      'line2"',
      'LABEL a=overridden',
      'ARG VERSION=3',
      'LABEL version=$VERSION empty=""',
    ].join('\n'),
  },
  {
    name: 'healthcheck',
    covers: 'HEALTHCHECK shell form with every option',
    dockerfile: [`FROM ${BASE}`, 'HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=4 CMD wget -q -O- http://localhost/ || exit 1'].join('\n'),
  },
  {
    name: 'healthcheck-exec-inherited',
    covers: 'HEALTHCHECK exec form without options replaces an inherited one',
    dockerfile: [`FROM ${BASE} AS base`, 'HEALTHCHECK --interval=1m CMD true', 'FROM base', 'HEALTHCHECK CMD ["/bin/true", "arg"]'].join('\n'),
  },
  {
    name: 'healthcheck-none',
    covers: 'HEALTHCHECK NONE disables an inherited check',
    dockerfile: [`FROM ${BASE} AS base`, 'HEALTHCHECK --retries=2 CMD true', 'FROM base', 'HEALTHCHECK NONE'].join('\n'),
  },
  {
    name: 'stopsignal',
    covers: 'STOPSIGNAL by name from an ARG, the last one wins',
    dockerfile: [`FROM ${BASE}`, 'STOPSIGNAL 9', 'ARG SIG=SIGUSR1', 'STOPSIGNAL $SIG'].join('\n'),
  },
  {
    name: 'shell',
    covers: 'SHELL changes how RUN, CMD and ENTRYPOINT shell forms are run and recorded',
    dockerfile: [
      `FROM ${BASE}`,
      'SHELL ["/bin/sh", "-e", "-c"]',
      'RUN echo "$0 $-" > /shell-flags',
      'CMD echo shell form cmd',
      'ENTRYPOINT echo shell form entrypoint',
      'SHELL ["/bin/busybox", "sh", "-c"]',
      'RUN echo second > /second',
    ].join('\n'),
  },
  {
    name: 'onbuild-parent',
    covers: 'ONBUILD records triggers in the image config without running them',
    target: 'parent',
    files: { 'a.txt': 'a\n' },
    dockerfile: onbuildDockerfile(),
  },
  {
    name: 'onbuild-child',
    covers: 'a stage built FROM a stage with ONBUILD runs the triggers first (RUN, COPY, ENV) and drops them from its config',
    files: { 'a.txt': 'a\n' },
    dockerfile: onbuildDockerfile(),
  },
  {
    name: 'cmd-then-entrypoint',
    covers: 'ENTRYPOINT after CMD in one stage keeps the CMD; exec forms',
    dockerfile: [`FROM ${BASE}`, 'CMD ["--help"]', 'ENTRYPOINT ["/bin/echo", "hello"]'].join('\n'),
  },
  {
    name: 'entrypoint-clears-inherited-cmd',
    covers: 'ENTRYPOINT in a stage clears the CMD inherited from its base',
    dockerfile: [`FROM ${BASE} AS base`, 'CMD ["inherited"]', 'FROM base', 'ENTRYPOINT ["/bin/echo"]'].join('\n'),
  },
  {
    name: 'cmd-keeps-inherited-entrypoint',
    covers: 'CMD in a stage keeps the inherited ENTRYPOINT; an empty exec-form CMD',
    dockerfile: [`FROM ${BASE} AS base`, 'ENTRYPOINT ["/bin/echo"]', 'CMD ["base"]', 'FROM base', 'CMD []'].join('\n'),
  },
  {
    name: 'cmd-entrypoint-shell-forms',
    covers: 'shell-form CMD and ENTRYPOINT, an ENTRYPOINT reset by an empty exec form, env not expanded in them',
    dockerfile: [`FROM ${BASE}`, 'ENV NAME=x', 'ENTRYPOINT echo "$NAME"', 'ENTRYPOINT []', 'CMD echo "$NAME" && exit 3'].join('\n'),
  },
];

function onbuildDockerfile(): string {
  return [
    `FROM ${BASE} AS parent`,
    'ONBUILD RUN echo triggered > /triggered',
    'ONBUILD COPY a.txt /onbuild-copied.txt',
    'ONBUILD ENV ONBUILD_ENV=yes',
    'RUN echo parent > /parent',
    'FROM parent AS child',
    'RUN echo "child $ONBUILD_ENV" > /child',
  ].join('\n');
}
