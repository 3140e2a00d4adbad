#!/usr/bin/env bash
# Mutation testing with dotnet-stryker (a local tool, .config/dotnet-tools.json) of the public layer (src/LabelSmoothing/{Losses,Smoothing,Calibration,Softmax}/) and the
# reference kernels (src/LabelSmoothing/Internal/Kernels/CrossEntropy/Reference/*.cs). docs/testing.md has the last score and what the
# surviving mutants are. Usage: bash tools/mutation.sh [extra stryker options]; the report goes to artifacts/mutation/.
#
# Feasible on 2 cores (about 40 minutes): the tests that pin numbers of the public layer and of the reference kernels, not the
# SIMD sweeps, tensor-door layouts, demo, allocation or packaging tests, which mutants of these files do not need. (The tensor doors'
# helpers take the shape they check against as `scoped in`: without it, Stryker's mutant switches around an argument fail to compile,
# CS8347/CS8349.) The test host
# runs with DOTNET_EnableHWIntrinsic=0, where the reference kernels compute every loss (with SIMD they serve only a few shapes),
# so every parity and worked-example test also checks them.
set -euo pipefail
cd "$(dirname "$0")/.."

tests=(Losses.TorchParityTests Losses.WorkedExampleTests Losses.ValidationTests Losses.CrossEntropyLossTests Smoothing.LabelSmootherTests
       Smoothing.SmoothingPriorTests Smoothing.OneHotTests Softmax.LogSoftmaxTests Smoothing.SmoothingTheoryTests Calibration.CalibrationTests
       Calibration.TemperatureScalingTests Losses.BinaryCrossEntropyLossTests Losses.BinaryCrossEntropyParityTests Losses.ChunkTests
       Losses.GradientCheckTests Losses.DenseParityTests Losses.LmParityTests Losses.SampleWeightTests Readme.ReadmeTests Losses.TokenStatisticsTests
       Smoothing.OnlineLabelSmoothingTests Smoothing.Priors.MatrixPriorTests PublicSurfaceCoverageTests Losses.TensorDoorTests
       Losses.TensorValidationTests Softmax.LogSoftmaxTensorDoorTests Smoothing.LabelSmootherTensorDoorTests Calibration.CalibrationTensorDoorTests
       Losses.BinaryCrossEntropyTensorDoorTests)
filter="$(printf 'FullyQualifiedName~LabelSmoothing.Tests.%s|' "${tests[@]}")"
output="$PWD/artifacts/mutation"

dotnet tool restore
cd tests/LabelSmoothing.Tests
DOTNET_EnableHWIntrinsic=0 dotnet stryker \
  --project LabelSmoothing.csproj \
  --configuration Release \
  --concurrency "${STRYKER_CONCURRENCY:-2}" \
  --mutate '**/src/LabelSmoothing/Losses/*.cs' \
  --mutate '**/src/LabelSmoothing/Smoothing/**/*.cs' \
  --mutate '**/src/LabelSmoothing/Calibration/*.cs' \
  --mutate '**/src/LabelSmoothing/Softmax/*.cs' \
  --mutate '**/src/LabelSmoothing/Internal/Kernels/CrossEntropy/Reference/*.cs' \
  --test-case-filter "${filter%|}" \
  --reporter html --reporter json --reporter progress --reporter cleartext \
  --output "$output" \
  --skip-version-check \
  "$@"
