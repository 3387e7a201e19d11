package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"sesame/internal/testdb"
	"sesame/server/store"
)

// BenchmarkRateCheck measures one take of a rate limit's token, on SQLite
// and, when $SESAME_TEST_POSTGRES is set, on PostgreSQL: by 8 goroutines a
// CPU, each on a key of its own (clients apart) or all on one key (one
// busy client, whose takes queue on its row); and a take refused, which
// reads the bucket again for the wait.
func BenchmarkRateCheck(b *testing.B) {
	ctx := context.Background()
	for _, kind := range testdb.Kinds {
		b.Run(kind, func(b *testing.B) {
			testdb.Require(b, kind)
			st := testdb.New(b, kind).Open(b)
			plenty := store.Limit{PerSecond: 1e6, Burst: 1 << 30}
			var workers atomic.Int64
			take := func(b *testing.B, key func(w int64) string) {
				b.SetParallelism(8)
				b.RunParallel(func(pb *testing.PB) {
					k := key(workers.Add(1))
					for pb.Next() {
						if ok, _, err := st.TakeToken(ctx, k, plenty, time.Now()); !ok || err != nil {
							b.Errorf("taken %v, %v", ok, err)
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "takes/s")
			}
			b.Run("keys-apart", func(b *testing.B) { take(b, func(w int64) string { return fmt.Sprint("ip:192.0.2.", w) }) })
			b.Run("one-key", func(b *testing.B) { take(b, func(int64) string { return "ip:192.0.2.1" }) })
			b.Run("refused", func(b *testing.B) {
				spent := store.Limit{PerSecond: 1.0 / 3600, Burst: 1}
				st.TakeToken(ctx, "ip:198.51.100.1", spent, time.Now())
				for b.Loop() {
					if ok, wait, err := st.TakeToken(ctx, "ip:198.51.100.1", spent, time.Now()); ok || wait <= 0 || err != nil {
						b.Fatalf("taken %v, wait %s, %v", ok, wait, err)
					}
				}
			})
		})
	}
}
