#!/usr/bin/env node
import { kafkaScript } from '../src/cli/main.js';

process.exitCode = await kafkaScript('kafka-console-consumer', process.argv.slice(2));
