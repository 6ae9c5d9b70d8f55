#!/usr/bin/env node
import { kafkaScript } from '../src/cli/main.js';

process.exitCode = await kafkaScript('kafka-get-offsets', process.argv.slice(2));
