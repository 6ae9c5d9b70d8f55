#!/usr/bin/env node
import { kafkaScript } from '../src/cli/main.js';

process.exitCode = await kafkaScript('kafka-dump-log', process.argv.slice(2));
