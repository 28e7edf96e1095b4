package batch_test

import (
	"fmt"

	"github.com/smpmatch/smpmatch/calibrate/colour"
	"github.com/smpmatch/smpmatch/match/batch"
)

// A Slurm array --array=1-4: task 3 processes shard 3 of 4.
func ExampleShardFromEnv() {
	env := map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "4"}
	k, n, from, err := batch.ShardFromEnv(func(v string) string { return env[v] }, 0)
	fmt.Println(k, n, from, err)
	// Output: 3 4 SLURM_ARRAY_TASK_ID <nil>
}

// Contract JSON rounds by meaning and says null for what was not measured.
func ExampleContractJSON() {
	hair := colour.LabD50{L: 24.6812, A: 3.4412, B: 4.4461}
	b, _ := batch.ContractJSON(batch.ClientResult{ClientID: "C001", Hair: &hair, Warnings: nil})
	fmt.Println(string(b))
	// Output: {"client_id":"C001","photos":0,"measured":0,"combined":0,"hair_lab":[24.68,3.44,4.45],"scalp_lab":null,"contrast_de00":null,"contrast_dl":null,"contrast_ratio":null,"recommendation":null,"warnings":[]}
}
