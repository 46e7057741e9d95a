// Imported first by the documents benchmarks: LanceDB's Rust logger reads LANCEDB_LOG when its native module loads,
// and every search that selects columns without `_distance`/`_score` logs a deprecation warning at the default level.
process.env.LANCEDB_LOG ??= 'error';
