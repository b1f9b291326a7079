#!/bin/sh
# The image's single entry point: `parley <process>`.
set -e
case "$1" in
  video-streaming-server) exec node --enable-source-maps dist/apps/video-streaming-server/src/main.js ;;
  finalize-worker) exec node --enable-source-maps dist/apps/video-streaming-server/src/finalize.main.js ;;
  user-management) exec node --enable-source-maps dist/apps/user-management/src/main.js ;;
  interviewer-agent) exec node --enable-source-maps dist/agents/interviewer/main.js start ;;
  migrate) shift; exec node dist/tools/migrate.js "${@:-up}" ;;
  *) echo "usage: parley video-streaming-server | finalize-worker | user-management | interviewer-agent | migrate [up|down|reset]" >&2; exit 2 ;;
esac
