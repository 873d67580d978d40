export interface BuildResult {
  imageDigest: string;
}

/** Turns a build record into an image. Berth's builder implements it; the worker only orchestrates. */
export interface BuildPipeline {
  run(buildId: string): Promise<BuildResult>;
}

export const BUILD_PIPELINE = Symbol('BUILD_PIPELINE');
