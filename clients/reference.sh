#!/bin/sh
exec "${AMZSIG_BIN:-amzsig}" adapter "$@"
