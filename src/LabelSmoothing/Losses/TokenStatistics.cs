namespace LabelSmoothing;

/// <summary>
/// What a training loop logs per token, gathered by <see cref="CrossEntropyLoss"/> in the same fused pass as the loss: the unsmoothed
/// negative log-likelihood <c>−lp_y</c> (its mean gives the perplexity; fairseq logs it beside the smoothed loss), whether the arg-max is
/// the label (token accuracy, Hugging Face's and T5X's <c>accuracy</c>), and the log-sum-exp <c>lse = log Σ_c exp(z_c)</c> (what the z-loss
/// keeps near 0). Pass a variable by reference to the overloads that take one: each call <em>adds</em> its samples, so one value accumulates
/// over the chunks or shards of a batch (or <see cref="Add(in TokenStatistics)"/> merges two). Start from <c>default</c>.
/// </summary>
/// <remarks>
/// <para>Per non-ignored sample <c>i</c> with weight <c>s_i</c> (its sample weight when the call has them, 1 otherwise): <see cref="Tokens"/>
/// adds <c>s_i</c>, <see cref="NegativeLogLikelihood"/> adds <c>s_i·(lse_i − z_{i,y_i})</c>, <see cref="Correct"/> adds <c>s_i</c> when the first
/// index of the largest logit is <c>y_i</c> (PyTorch <c>argmax</c>: a tie counts only for the first maximal class), <see cref="LogSumExp"/> adds
/// <c>s_i·lse_i</c> and <see cref="LogSumExpSquared"/> <c>s_i·lse_i²</c>. Neither the smoothing, nor the class weights, nor the z-loss enter;
/// with a soft cap, the statistics are those of the capped logits (the model's distribution). Ignored samples add nothing.</para>
/// <para>Sums are kept in double. A NaN or +∞ logit makes the sums NaN; such a row never counts as correct.</para>
/// </remarks>
public struct TokenStatistics
{
    /// <summary><c>Σ s_i</c> over the non-ignored samples: their count when the calls had no sample weights.</summary>
    public double Tokens { readonly get; private set; }

    /// <summary><c>Σ s_i·(−lp_{y_i})</c>, the unsmoothed negative log-likelihood (PyTorch <c>F.cross_entropy(z, y, reduction='sum')</c>).</summary>
    public double NegativeLogLikelihood { readonly get; private set; }

    /// <summary><c>Σ s_i·[argmax z_i = y_i]</c>.</summary>
    public double Correct { readonly get; private set; }

    /// <summary><c>Σ s_i·lse_i</c>.</summary>
    public double LogSumExp { readonly get; private set; }

    /// <summary><c>Σ s_i·lse_i²</c> (<c>λ</c> times it is the z-loss of the samples).</summary>
    public double LogSumExpSquared { readonly get; private set; }

    /// <summary>The mean negative log-likelihood <c>NegativeLogLikelihood / Tokens</c> (0 when there are no tokens).</summary>
    public readonly double MeanNegativeLogLikelihood => Tokens == 0.0 ? 0.0 : NegativeLogLikelihood / Tokens;

    /// <summary>The perplexity <c>exp(MeanNegativeLogLikelihood)</c> (1 when there are no tokens).</summary>
    public readonly double Perplexity => Math.Exp(MeanNegativeLogLikelihood);

    /// <summary>The token accuracy <c>Correct / Tokens</c> (0 when there are no tokens).</summary>
    public readonly double Accuracy => Tokens == 0.0 ? 0.0 : Correct / Tokens;

    /// <summary>The mean log-sum-exp <c>LogSumExp / Tokens</c> (0 when there are no tokens).</summary>
    public readonly double MeanLogSumExp => Tokens == 0.0 ? 0.0 : LogSumExp / Tokens;

    /// <summary>Adds the sums of <paramref name="other"/> (the statistics of another chunk or shard).</summary>
    /// <param name="other">The statistics to add.</param>
    public void Add(in TokenStatistics other) =>
        Add(other.Tokens, other.NegativeLogLikelihood, other.Correct, other.LogSumExp, other.LogSumExpSquared);

    /// <summary>Adds sums that are already weighted.</summary>
    internal void Add(double tokens, double negativeLogLikelihood, double correct, double logSumExp, double logSumExpSquared)
    {
        Tokens += tokens;
        NegativeLogLikelihood += negativeLogLikelihood;
        Correct += correct;
        LogSumExp += logSumExp;
        LogSumExpSquared += logSumExpSquared;
    }

    /// <summary>Adds one sample of weight <paramref name="weight"/>.</summary>
    internal void AddSample(double weight, double logSumExp, double labelLogit, bool correct) =>
        Add(weight, weight * (logSumExp - labelLogit), correct ? weight : 0.0, weight * logSumExp, weight * logSumExp * logSumExp);
}
