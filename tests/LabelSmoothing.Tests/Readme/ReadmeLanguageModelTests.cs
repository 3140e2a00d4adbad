using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using FluentAssertions;
using Xunit;

namespace LabelSmoothing.Tests.Readme;

/// <summary>
/// The README's "LLM training" example is this code: a padded batch over a 32 000-token vocabulary in chunks, with z-loss, soft cap,
/// per-token weights and the global divisor; the chunks add up to the unsplit call, and the statistics are the batch's.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ReadmeLanguageModelTests
{
    private const int Vocabulary = 32_000;
    private const int PadId = 0;

    [Fact]
    public void TheLlmExample_IsTheCodeOfThisTest()
    {
        ReadmeSnippets.Code("README LLM example").Should().Equal(ReadmeSnippets.Block("## LLM training"));
    }

    [Fact]
    public void TheChunks_AddUpToTheUnsplitBatch_AndThePrintedLineIsTheReadmes()
    {
        var chunks = Chunks();
        var output = new StringWriter();
        TextWriter original = Console.Out;
        CultureInfo culture = CultureInfo.CurrentCulture;
        Console.SetOut(output);
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        float value;
        TokenStatistics statistics;
        try
        {
            (value, statistics) = Example(chunks);
        }
        finally
        {
            Console.SetOut(original);
            CultureInfo.CurrentCulture = culture;
        }

        // The unsplit batch: one call over every token.
        var loss = new CrossEntropyLoss(Vocabulary, labelSmoothing: 0.1, ignoreIndex: PadId, zLoss: 1e-4, logitSoftcap: 30.0);
        var logits = new List<float>();
        var labels = new List<int>();
        var weights = new List<float>();
        foreach (var chunk in chunks)
        {
            logits.AddRange(chunk.Logits);
            labels.AddRange(chunk.Labels);
            weights.AddRange(chunk.TokenWeights);
        }

        var gradient = new float[logits.Count];
        var whole = default(TokenStatistics);
        float expected = loss.ForwardBackward<float>(logits.ToArray(), labels.ToArray(), weights.ToArray(), gradient, loss.TotalWeight<float>(labels.ToArray(), weights.ToArray()), ref whole);
        value.Should().BeApproximately(expected, 1e-6f * expected);
        statistics.Tokens.Should().Be(whole.Tokens);
        statistics.Perplexity.Should().BeApproximately(whole.Perplexity, 1e-9 * whole.Perplexity);
        int offset = 0;
        foreach (var chunk in chunks)
        {
            TestNumerics<float>.ShouldBeIdentical(chunk.Gradient, gradient.AsSpan(offset, chunk.Gradient.Length));
            offset += chunk.Gradient.Length;
        }

        string printed = output.ToString().Trim();
        printed.Should().StartWith("loss ").And.Contain("perplexity").And.Contain("accuracy");
        ReadmeSnippets.Block("## LLM training")[^1].TrimStart('/', ' ').Should().Be(printed);
    }

    private static (float Value, TokenStatistics Statistics) Example(IReadOnlyList<Chunk> chunks)
    {
        // README LLM example: begin
        // Gemma 2 / PaLM settings: z-loss 1e-4 and a soft cap of 30 on the logits; pad tokens ignored; per-token weights.
        var loss = new CrossEntropyLoss(Vocabulary, labelSmoothing: 0.1, ignoreIndex: PadId, zLoss: 1e-4, logitSoftcap: 30.0);
        double total = 0;                                    // the global divisor: Σ weights of the non-pad tokens of every chunk
        foreach (var chunk in chunks)
            total += loss.TotalWeight<float>(chunk.Labels, chunk.TokenWeights);
        var statistics = default(TokenStatistics);          // perplexity, token accuracy, mean log-sum-exp: in the same pass
        float value = 0;
        foreach (var chunk in chunks)
            value += loss.ForwardBackward<float>(chunk.Logits, chunk.Labels, chunk.TokenWeights, chunk.Gradient, total, ref statistics);
        Console.WriteLine($"loss {value:F4}, perplexity {statistics.Perplexity:F0}, accuracy {statistics.Accuracy:P1}, mean lse {statistics.MeanLogSumExp:F2}");
        // loss 11.5473, perplexity 108917, accuracy 0.0 %, mean lse 10.97
        // README LLM example: end
        return (value, statistics);
    }

    /// <summary>Three chunks of 6 tokens over the vocabulary (the README's <c>chunks</c>), with pads and token weights.</summary>
    private static List<Chunk> Chunks()
    {
        var chunks = new List<Chunk>();
        for (int c = 0; c < 3; c++)
        {
            const int Tokens = 6;
            float[] logits = TestNumerics<float>.Random(Tokens * Vocabulary, -2.0, 2.0, seed: 70 + c);
            int[] labels = TestNumerics<float>.RandomLabels(Tokens, Vocabulary, seed: 80 + c);
            labels[Tokens - 1] = PadId;
            float[] weights = TestNumerics<float>.Random(Tokens, 0.5, 1.5, seed: 90 + c);
            chunks.Add(new Chunk(logits, labels, weights, new float[logits.Length]));
        }

        return chunks;
    }


    /// <summary>One chunk of a batch: its logits <c>[n, V]</c>, labels, token weights and gradient buffer.</summary>
    private sealed record Chunk(float[] Logits, int[] Labels, float[] TokenWeights, float[] Gradient);
}
