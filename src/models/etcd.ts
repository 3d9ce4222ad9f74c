/**
 * The register model of the Jepsen etcd histories. It lives in the `porcupine` package
 * (`porcupine/models`); this module keeps the lab's import path.
 */

export { ETCD_NO_VALUE, etcdModel, etcdOutput, type EtcdInput, type EtcdOp, type EtcdOutput } from "porcupine/models";
