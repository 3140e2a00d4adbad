#!/usr/bin/env bash
# Regenerates PublicAPI.Unshipped.txt of each packable project from the current code: every public symbol that is not in its
# PublicAPI.Shipped.txt. Run it after changing the public API and commit the result (docs/releasing.md).
#
# How: empty the Unshipped file, let the public API analyzer report every undeclared symbol (RS0016) through `dotnet format
# analyzers --verify-no-changes`, and write the symbols its messages name, sorted. (`dotnet format --diagnostics RS0016` without
# --verify-no-changes finds the same diagnostics but, with the SDK 10.0.401 and PublicApiAnalyzers 5.6.0, applies no fix.)
# A symbol of PublicAPI.Shipped.txt that no longer exists (RS0017) is a breaking change: the script lists it and fails, and the
# removal is declared by hand with a `*REMOVED*` line in the Unshipped file.
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
for project in src/LabelSmoothing/LabelSmoothing.csproj src/LabelSmoothing.MathNet/LabelSmoothing.MathNet.csproj; do
  directory="$(dirname "$project")"
  unshipped="$directory/PublicAPI.Unshipped.txt"
  report="$(mktemp)"
  printf '#nullable enable\n' > "$unshipped"
  dotnet format analyzers "$project" --diagnostics RS0016 RS0017 --severity warn --verify-no-changes > "$report" 2>&1 || true

  # "…(12,5): error RS0016: Symbol 'X' is not part of the declared public API [/…/Project.csproj]": keep X, for this project only.
  grep -F "[$PWD/$project]" "$report" \
    | sed -n "s/.* RS0016: Symbol '\(.*\)' is not part of the declared public API .*/\1/p" \
    | LC_ALL=C sort -u >> "$unshipped"
  echo "$unshipped: $(($(wc -l < "$unshipped") - 1)) symbols"

  if grep -F "[$PWD/$project]" "$report" | grep -q " RS0017: "; then
    grep -F "[$PWD/$project]" "$report" | grep " RS0017: " | sort -u >&2
    status=1
  fi
  rm -f "$report"
done
exit "$status"
