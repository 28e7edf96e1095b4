// Package batch runs smpmatch's per-photo pipeline (calibrate → measure →
// match) over many clients' photos, as `smpmatch batch` does, and writes
// machine-readable and human-readable results.
//
// Inputs are Clients, each with Photos: from folders (ScanFolders) or from a
// manifest CSV (ParseManifest). A photo whose file name contains "card" is a
// card shot: the client's card shots are fitted together (calibrate.Fit) into
// a profile that corrects the client's other photos. Without card shots a
// scalp photo is corrected by the card in its own frame, or fails unless
// uncalibrated measurement is allowed; a profile given for the run, or for a
// photo in the manifest, takes precedence over both.
//
// Per client, the hair and scalp colours are combined as the per-channel
// median L*a*b* over the confident scalp photos (all measured photos if none
// is confident), and one recommendation is searched for the combined
// colours (Combine). Photos that disagree (hair or scalp more than
// DisagreeDE00 apart between groups: two heads under one client) are not
// combined: the odd ones are named and nothing is recommended. The
// per-photo numbers are kept in results.jsonl, the per-client ones in
// clients.csv and clients.jsonl; every JSON output goes through
// ContractJSON, and its schema is published in match/batch/schema.
//
// Run works on a pool of workers, one photo each: the per-photo pipeline
// stays sequential and deterministic (ProcessPhoto). Each finished photo is
// written to out/state as a small JSON record keyed by the SHA-256 of its
// bytes, its client and name, the settings that change its result and the
// smpmatch version, after its thumbnails (a record whose pictures are
// missing is redone); the outputs (index.json, results.jsonl, clients.csv,
// clients.jsonl, report.html) are rebuilt from the records at the end into a new
// generation folder, out/gen/gNNNNNN, and switched to together by renaming
// one symbolic link, out/current (see publish). A run that is killed loses
// at most the photos in flight, and a re-run skips what is done. An
// flock(2) on out/batch.lock keeps two runs off one output folder. Inputs
// are read only if they are regular files (openRegular), and a disk error
// stops the run with ErrOutput.
//
// Shard splits the clients deterministically for several machines
// (ShardFromEnv reads the shard of a Kubernetes Indexed Job or a Slurm
// array); Merge joins their outputs.
package batch
