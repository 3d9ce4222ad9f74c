/**
 * Parsers of history files (Jepsen etcd logs, kv EDN logs, the JSON format). They live in the
 * `porcupine` package (`porcupine/models`); this module keeps the lab's import path.
 */

export {
  HistoryParseError,
  isHistoryModelName,
  parseJepsenEtcdLog,
  parseJsonHistory,
  parseKvLog,
  type HistoryModelName,
  type JsonHistory,
} from "porcupine/models";
