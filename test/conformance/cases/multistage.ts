import { BASE, ConformanceCase } from '../support/case';

const STAGES = [
  `FROM ${BASE} AS build`,
  'ENV STAGE=build',
  'RUN mkdir -p /out/sub && echo artifact > /out/artifact && echo nested > /out/sub/n && chown -R 1000:1000 /out/sub && chmod 4750 /out/artifact',
  'LABEL stage=build',
  `FROM ${BASE} AS test`,
  'COPY --from=build /out/artifact /tested',
  'RUN echo tested >> /tested',
  'CMD ["cat", "/tested"]',
  'FROM build AS extended',
  'RUN echo "extended from $STAGE" > /out/extended',
  'ENV STAGE=extended',
];

/** Several stages: COPY --from by name, index and image; a stage as base; --target. */
export const MULTISTAGE_CASES: ConformanceCase[] = [
  {
    name: 'multistage-from-name',
    covers: 'COPY --from=<stage name>: files, a directory, ownership and setuid kept from the stage',
    dockerfile: [...STAGES, `FROM ${BASE}`, 'COPY --from=build /out/artifact /final/artifact', 'COPY --from=build /out /final/out/', 'COPY --from=extended /out/extended /'].join('\n'),
  },
  {
    name: 'multistage-from-index',
    covers: 'COPY --from=<stage index>, --chown on a stage copy, a wildcard in a stage source',
    dockerfile: [...STAGES, `FROM ${BASE}`, 'COPY --from=0 /out/ /zero/', 'COPY --from=1 /tested /one', 'COPY --from=0 --chown=app:app /out/sub /owned/', 'COPY --from=build /out/art* /wild/'].join('\n'),
  },
  {
    name: 'multistage-target',
    covers: '--target selects an intermediate stage: its file system and config',
    target: 'test',
    dockerfile: [...STAGES, `FROM ${BASE} AS final`, 'RUN exit 1'].join('\n'),
  },
  {
    name: 'multistage-stage-as-base',
    covers: 'FROM <stage>: files, ENV and LABEL inherited; the last stage is the default target',
    dockerfile: [...STAGES, 'FROM extended', 'RUN echo "$STAGE" > /stage'].join('\n'),
  },
  {
    name: 'copy-from-image',
    covers: 'COPY --from=<image> reads from an image that is not a stage',
    dockerfile: ['FROM scratch', `COPY --from=${BASE} /bin/busybox /bin/busybox`, `COPY --from=${BASE} /etc /etc`, `COPY --from=${BASE} /bin/sh /bin/sh-target`].join('\n'),
  },
  {
    name: 'from-scratch',
    covers: 'FROM scratch with COPY only: no base layers, default config',
    files: { 'a.txt': 'a\n', 'dir/b': 'b\n' },
    dockerfile: ['FROM scratch', 'COPY a.txt /', 'COPY dir /dir/', 'ENV ONLY=scratch', 'WORKDIR /work'].join('\n'),
  },
];
