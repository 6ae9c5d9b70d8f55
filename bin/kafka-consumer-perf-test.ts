#!/usr/bin/env node
import { kafkaScript } from '../src/cli/main.js';

process.exitCode = await kafkaScript('kafka-consumer-perf-test', process.argv.slice(2));
