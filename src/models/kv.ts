/**
 * The lab's key/value model. It lives in the `porcupine` package (`porcupine/models`, so that the
 * package's CLI can use it); this module keeps the lab's import path.
 */

export {
  describeKvOperation,
  kvModel,
  kvNoPartitionModel,
  partitionKvEvents,
  partitionKvOperations,
  stringHash,
  type KvInput,
  type KvMapState,
  type KvOp,
  type KvOutput,
  type KvRegister,
} from "porcupine/models";
