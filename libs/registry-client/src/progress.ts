import { Digest } from '@berth/layer-store';

export type BlobKind = 'config' | 'layer';

/**
 * What a pull reports as it goes, for the builder to show. Blob events come per chunk while
 * downloading; a consumer that prints should throttle.
 */
export type PullProgressEvent =
  | {
      type: 'resolved';
      /** The canonical reference being pulled. */
      reference: string;
      manifestDigest: Digest;
      platform: string;
      layers: { digest: Digest; size: number }[];
    }
  | {
      type: 'blob';
      reference: string;
      kind: BlobKind;
      digest: Digest;
      size: number;
      downloaded: number;
      /** `present`: already in the store, nothing fetched. `retrying`: the transfer broke and starts over. */
      status: 'present' | 'downloading' | 'retrying' | 'done';
    }
  | { type: 'done'; reference: string; manifestDigest: Digest; downloadedBytes: number };

export type PullProgressListener = (event: PullProgressEvent) => void;
