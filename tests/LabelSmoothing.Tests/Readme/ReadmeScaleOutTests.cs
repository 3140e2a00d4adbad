using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Readme;

/// <summary>
/// The README's "Across machines" and "The head without the logits" snippets are the code below (compared line by line) and give the
/// unsharded, unfused results.
/// </summary>
public sealed class ReadmeScaleOutTests
{
    /// <summary>
    /// Two ranks on two threads, each running the snippet on its block of 5 and 3 of 8 classes, with an in-process all-gather: every rank
    /// returns the same bits, equal to the unsharded mean to 1e-6 (float), and the shards' gradients side by side are the unsharded one.
    /// </summary>
    [Fact]
    public void AcrossMachinesExample_GivesTheUnshardedLossOnEveryRank_AndIsTheReadmesCode()
    {
        const int vocabulary = 8, padId = -100, ranks = 2;
        int[] labels = [3, 7, padId, 0];
        float[] logits = TestNumerics<float>.Random(labels.Length * vocabulary, -3.0, 3.0, seed: 5);
        int[] offsets = [0, 5, vocabulary];
        var world = new ThreadWorld(ranks);
        var values = new float[ranks];
        var gradients = new float[ranks][];

        Parallel.For(0, ranks, new ParallelOptions { MaxDegreeOfParallelism = ranks }, rank => (values[rank], gradients[rank]) = Rank(rank));

        var unshardedGradient = new float[logits.Length];
        float unsharded = new CrossEntropyLoss(vocabulary, labelSmoothing: 0.1, ignoreIndex: padId).ForwardBackward<float>(logits, labels, unshardedGradient);
        BitConverter.SingleToInt32Bits(values[1]).Should().Be(BitConverter.SingleToInt32Bits(values[0]));
        values[0].Should().BeApproximately(unsharded, 1e-6f);
        for (int i = 0; i < labels.Length; i++)
        {
            var row = gradients[0].AsSpan(i * 5, 5).ToArray().Concat(gradients[1].AsSpan(i * 3, 3).ToArray());
            row.Should().Equal(unshardedGradient.AsSpan(i * vocabulary, vocabulary).ToArray(), (shard, whole) => Math.Abs(shard - whole) <= 1e-7f);
        }

        ReadmeSnippets.Block("## Across machines").Should().Equal(ReadmeSnippets.Code("README across machines example"));

        (float, float[]) Rank(int rank)
        {
            int classOffset = offsets[rank], width = offsets[rank + 1] - classOffset;
            float[] shardLogits = new float[labels.Length * width];
            for (int i = 0; i < labels.Length; i++)
            {
                logits.AsSpan(i * vocabulary + classOffset, width).CopyTo(shardLogits.AsSpan(i * width));
            }

            var shardGradient = new float[shardLogits.Length];
            var comm = world.Communicator(rank);

            // README across machines example: begin
            var loss = new CrossEntropyLoss(vocabulary, labelSmoothing: 0.1, ignoreIndex: padId);
            var mine = new double[labels.Length * loss.ShardStatisticsWidth];
            loss.ShardStatistics<float>(shardLogits, labels, classOffset, mine);        // phase 1: this rank's [N, S] block
            var all = new double[mine.Length * ranks];
            comm.Allgather(mine, all);                                                 // the one collective per step, in rank order
            float value = loss.ShardForwardBackward<float>(shardLogits, labels, classOffset, all, shardGradient);  // phase 2
            // value: the global loss, the same bits on every rank; shardGradient: this rank's columns of the global gradient
            // README across machines example: end
            return (value, shardGradient);
        }
    }

    /// <summary>The fused head against the logits made by hand and the plain cross-entropy: loss and the three gradients to float precision.</summary>
    [Fact]
    public void LinearHeadExample_GivesTheUnfusedLossAndGradients_AndIsTheReadmesCode()
    {
        const int vocabulary = 7, width = 5;
        int[] labels = [6, 0, 2];
        float[] hidden = TestNumerics<float>.Random(labels.Length * width, -1.0, 1.0, seed: 11);
        float[] weight = TestNumerics<float>.Random(vocabulary * width, -1.0, 1.0, seed: 12);
        float[] bias = TestNumerics<float>.Random(vocabulary, -1.0, 1.0, seed: 13);
        var hiddenGradient = new float[hidden.Length];
        var weightGradient = new float[weight.Length];
        var biasGradient = new float[bias.Length];

        // README linear head example: begin
        var head = new LinearCrossEntropyLoss(new CrossEntropyLoss(vocabulary, labelSmoothing: 0.1));
        float value = head.ForwardBackward<float>(hidden, weight, bias, labels, hiddenGradient, weightGradient, biasGradient);
        // README linear head example: end

        var logits = new float[labels.Length * vocabulary];
        for (int i = 0; i < labels.Length; i++)
        {
            for (int c = 0; c < vocabulary; c++)
            {
                logits[i * vocabulary + c] = bias[c] + Enumerable.Range(0, width).Sum(h => hidden[i * width + h] * weight[c * width + h]);
            }
        }

        var logitGradient = new float[logits.Length];
        float unfused = new CrossEntropyLoss(vocabulary, labelSmoothing: 0.1).ForwardBackward<float>(logits, labels, logitGradient);
        value.Should().BeApproximately(unfused, 1e-6f);
        for (int c = 0; c < vocabulary; c++)
        {
            biasGradient[c].Should().BeApproximately(Enumerable.Range(0, labels.Length).Sum(i => logitGradient[i * vocabulary + c]), 1e-6f);
            for (int h = 0; h < width; h++)
            {
                weightGradient[c * width + h].Should().BeApproximately(
                    Enumerable.Range(0, labels.Length).Sum(i => logitGradient[i * vocabulary + c] * hidden[i * width + h]), 1e-6f);
            }
        }

        for (int i = 0; i < labels.Length; i++)
        {
            for (int h = 0; h < width; h++)
            {
                hiddenGradient[i * width + h].Should().BeApproximately(
                    Enumerable.Range(0, vocabulary).Sum(c => logitGradient[i * vocabulary + c] * weight[c * width + h]), 1e-6f);
            }
        }

        ReadmeSnippets.Block("## The head without the logits").Should().Equal(ReadmeSnippets.Code("README linear head example"));
    }


    /// <summary>Ranks as threads: <see cref="Communicator"/> gives a rank its all-gather.</summary>
    private sealed class ThreadWorld(int ranks)
    {
        private readonly Barrier _barrier = new(ranks);
        private readonly double[][] _blocks = new double[ranks][];

        public RankCommunicator Communicator(int rank) => new(this, rank);

        /// <summary>Every rank's block, in rank order, into every rank's destination.</summary>
        public sealed class RankCommunicator(ThreadWorld world, int rank)
        {
            public void Allgather(double[] mine, double[] all)
            {
                world._blocks[rank] = mine;
                world._barrier.SignalAndWait();
                for (int r = 0; r < world._blocks.Length; r++)
                {
                    world._blocks[r].CopyTo(all, r * mine.Length);
                }

                world._barrier.SignalAndWait();
            }
        }
    }
}
