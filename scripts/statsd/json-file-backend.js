// A StatsD backend for tests: appends every flush (counters, timers, gauges, as the daemon
// aggregated them) to a file, one JSON object per line.
//
// Config: { backends: ["/path/to/json-file-backend.js"], jsonFile: { path: "/tmp/flushes.jsonl" } }
'use strict';

const fs = require('fs');

exports.init = function (startupTime, config, events, logger) {
  const path = config.jsonFile && config.jsonFile.path;
  if (!path) {
    logger.log('json-file-backend: set jsonFile.path in the config', 'ERROR');
    return false;
  }
  events.on('flush', function (timestamp, metrics) {
    const flush = {
      timestamp: timestamp,
      counters: metrics.counters,
      timers: metrics.timers,
      gauges: metrics.gauges,
    };
    fs.appendFileSync(path, JSON.stringify(flush) + '\n');
  });
  return true;
};
