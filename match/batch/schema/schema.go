// Package schema publishes the JSON Schema (draft 2020-12) of each of
// smpmatch's JSON outputs, as files beside this one and embedded in FS:
//
//   - calibrate.schema.json: a line of `smpmatch calibrate --json`
//   - measure.schema.json: a line of `smpmatch measure --json`
//   - match.schema.json: a line of `smpmatch match --hair-lab … --json`
//   - match-photo.schema.json: a line of `smpmatch match PHOTO --json`, and
//     of a batch's results.jsonl
//   - clients.schema.json: a line of a batch's clients.jsonl
//
// Objects allow properties beyond those listed: fields may be added to the
// outputs, never removed or renamed.
package schema

import "embed"

// FS holds the *.schema.json files.
//
//go:embed *.schema.json
var FS embed.FS
