#!/usr/bin/env bash
# Reproduces the tables of recipes/README.md: every recipe over seeds 1, 2 and 3 (the
# models table over 1 to 10), at 90% and at 98% sparsity where that applies. Prints one
# "mean ± std" line per row; takes about half an hour on 2 cores for masks, ten minutes
# for nm, twenty for mixtures, fifteen for models (pass masks, nm, mixtures or models
# to run one table; models prints every seed's line, recipes/results-moe.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o /tmp/roux-results ./cmd/roux
row() { # name recipe [--set ...]
    local name=$1; shift
    printf '%s\t%s\n' "$name" "$(/tmp/roux-results sweep "$@" | tail -1)"
}
full() { # recipe [--set ...]: every seed's line too (the models table reads each seed's loads)
    echo "# roux sweep $*"
    /tmp/roux-results sweep "$@"
}
sel() { # init for a sparsity and distribution
    echo "sparse.init=random(sparsity: $1, distribution: $2)"
}
only=${1:-}
if [ -z "$only" ] || [ "$only" = masks ]; then
row "dense" recipes/mnist_mlp.recipe
for s in 0.9 0.98; do
    row "uniform $s" recipes/mnist_uniform.recipe --set "$(sel $s uniform)"
    row "erk $s" recipes/mnist_erk.recipe --set "$(sel $s erk)"
    row "gmp $s" recipes/mnist_gmp.recipe --set "gmp.sparsity=cubic(0 -> $s, from: 25%, until: 75%)"
    row "set $s" recipes/mnist_set.recipe --set "$(sel $s erk)"
    row "rigl $s" recipes/mnist_rigl.recipe --set "$(sel $s erk)"
    row "issp $s" recipes/mnist_issp.recipe --set "soft.sparsity=$s"
done
row "imp 0.9" recipes/mnist_imp.recipe
row "imp 0.98" recipes/mnist_imp.recipe --set rate=0.62
row "soup 0.9" recipes/mnist_soup.recipe
row "soup 0.98" recipes/mnist_soup.recipe --set rate=0.73
row "spdf 0.75" recipes/mnist_spdf.recipe
fi
if [ -z "$only" ] || [ "$only" = nm ]; then
row "dense 784-512-512" recipes/mnist_wide.recipe
for p in "2, 4" "1, 8"; do
    for rule in zero ste "srste(decay: 2e-4)" "decay(beta: linear(1 -> 0, until: 50%))"; do
        row "nm $p $rule" recipes/mnist_nm.recipe --set "nm.init=nm($p)" --set "nm.pruned=$rule"
    done
done
fi
if [ -z "$only" ] || [ "$only" = mixtures ]; then
row "100 labels: supervised only" recipes/mnist_supervised100.recipe
row "100 labels: uda" recipes/mnist_uda.recipe
row "100 labels: fixmatch" recipes/mnist_fixmatch.recipe
row "100 labels: uda, 90% erk" recipes/mnist_uda_erk.recipe
for m in ce elr ldr; do
    row "40% noise: $m" recipes/mnist_noisy_$m.recipe
done
row "30% label-sparse: adawac" recipes/mnist_adawac.recipe
row "30% label-sparse: fixed 1/2, 1/2" recipes/mnist_adawac_fixed.recipe
fi
if [ -z "$only" ] || [ "$only" = models ]; then
ten=1,2,3,4,5,6,7,8,9,10
full recipes/mnist_mlp.recipe --seeds $ten
full recipes/mnist_moe.recipe --seeds $ten
full recipes/mnist_moe.recipe --seeds $ten --set alpha=0
full recipes/mnist_moe8.recipe --seeds $ten
full recipes/mnist_moe8.recipe --seeds $ten --set alpha=0.01
full recipes/mnist_moe8.recipe --seeds $ten --set alpha=0.03
full recipes/mnist_moe8.recipe --seeds $ten --set alpha=0
# the dense counterpart: LeNet-300-100 with a 74-unit layer between its hidden ones
sed 's/    h2  = dense(h1, 100)/    hm  = dense(h1, 74) |> relu\n    h2  = dense(hm, 100)/' recipes/mnist_mlp.recipe >/tmp/mnist_mlp74.recipe
full /tmp/mnist_mlp74.recipe --seeds $ten
fi
