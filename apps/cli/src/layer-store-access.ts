import path from 'node:path';
import { BerthConfig } from '@berth/config';
import { LayerStore } from '@berth/layer-store';

/** The layer store of this Berth, under BERTH_DATA_DIR. */
export function openLayerStore(config: BerthConfig): Promise<LayerStore> {
  return LayerStore.open({ root: path.join(config.dataDir, 'layers') });
}
