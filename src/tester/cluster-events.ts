/**
 * What happens to a cluster's servers, for whoever wants to watch: the timeline's marks today,
 * safety monitors and fault injectors tomorrow. Observers are told after the fact, synchronously,
 * in the order things happen.
 */
export type ClusterEvent =
  /** Server `i` was started (`restart`: from a saved state); `member` is what its `launch` built. */
  | { readonly kind: "start"; readonly i: number; readonly restart: boolean; readonly member: unknown }
  /** Server `i` was shut down ("crashed"): removed from the network and killed. */
  | { readonly kind: "crash"; readonly i: number }
  /** The links between `i` and each of `peers` were enabled or disabled, both ways. */
  | { readonly kind: "links"; readonly i: number; readonly peers: readonly number[]; readonly enabled: boolean };

/** Receives {@link ClusterEvent}s; see `ServerGroup.observe`. */
export type ClusterObserver = (event: ClusterEvent) => void;
