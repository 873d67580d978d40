export interface BuildResult {
  imageDigest: string;
}

/** Turns a build record into an image. Berth's builder implements it; the worker only orchestrates. */
export interface BuildPipeline {
  run(buildId: string): Promise<BuildResult>;
}

export const BUILD_PIPELINE = Symbol('BUILD_PIPELINE');

/** The binding until Berth's builder is wired into the worker: every build fails and says why. */
export class UnavailableBuildPipeline implements BuildPipeline {
  async run(): Promise<BuildResult> {
    throw new Error('this Berth has no image builder wired into its worker yet; the build cannot run');
  }
}
