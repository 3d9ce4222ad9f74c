/**
 * `porcupine/models`: ready-made models and history parsers — the key/value model of the 6.5840
 * labs and Porcupine's test data (get / put / append / cas, partitioned by key), the register of
 * the Jepsen etcd histories, and parsers for Jepsen etcd logs, kv EDN logs and this package's JSON
 * history format.
 */

export * from "./kv.js";
export * from "./etcd.js";
export * from "./history-files.js";
