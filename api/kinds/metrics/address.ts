/** The bus address of the metrics-server actor, which serves metrics.k8s.io (actors/metrics-server). */
export const METRICS_SERVER_ADDRESS = 'metrics-server';
