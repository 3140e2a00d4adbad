namespace LabelSmoothing.Internal.Layout;

/// <summary>
/// How the samples of a call are laid out in each operand. Logits <c>(N, C, d1, …, dk)</c> (class axis 1, PyTorch layout) have the
/// sample axes <c>N, d1, …, dk</c>; operands shaped like them (targets, gradient) share those axes and have their own class stride;
/// per-sample operands (labels, losses, upstream, sample weights) are shaped <c>(N, d1, …, dk)</c>. Samples are numbered in logical
/// (row-major) order over the sample axes. Axes of length 1 are dropped and neighbouring axes that every operand stores contiguously
/// one inside the other are merged, so that the samples fall into <em>segments</em>: runs along the innermost remaining axis, with
/// one sample stride per operand. A row-major batch is one segment with sample stride <c>K</c> and class stride 1; a MathNet matrix
/// one segment with sample stride 1 and class stride <c>N</c>; a dense <c>(N, C, H, W)</c> tensor <c>N</c> segments of <c>H·W</c> samples
/// with sample stride 1 and class stride <c>H·W</c>.
/// </summary>
internal struct BatchLayout
{
    private const int Roles = (int)OperandRole.Upstream + 1;

    private RoleStrides _sampleStrides;
    private RoleClassStrides _classStrides;
    private AxisValues _lengths;
    private int _axes;
    private int _present;

    /// <summary>The number of classes <c>C</c>.</summary>
    public int NumClasses { get; private set; }

    /// <summary>The number of samples <c>N·d1·…·dk</c>.</summary>
    public int Samples { get; private set; }

    /// <summary>The number of samples in a segment (all of them when there is one segment).</summary>
    public readonly int SegmentLength => _axes == 0 ? 1 : (int)_lengths[_axes - 1];

    /// <summary>The layout of the logits alone; add the other operands with <see cref="Add"/>, then call <see cref="Merge"/>.</summary>
    public static BatchLayout Of(in OperandShape logits, int samples)
    {
        var layout = new BatchLayout { NumClasses = (int)logits.Length(1), Samples = samples };
        for (int a = 0, axis = 0; a < logits.Rank; a++)
        {
            if (a != 1)
            {
                layout._lengths[axis++] = logits.Length(a);
            }
        }

        layout._axes = logits.Rank - 1;
        layout.Add(OperandRole.Logits, logits);
        return layout;
    }

    /// <summary>The layout of a class-shaped operand alone, <c>(N, C, d1, …, dk)</c> with <c>C ≥ 1</c>, as the logits.</summary>
    public static BatchLayout OfClasses(in OperandShape operand) => Of(operand, (int)(operand.Count / operand.Length(1)));

    /// <summary>The layout of per-sample labels alone, <c>(N, d1, …, dk)</c>; call <see cref="Merge"/> next.</summary>
    public static BatchLayout OfSamples(in OperandShape labels)
    {
        var layout = new BatchLayout { NumClasses = 1, Samples = checked((int)labels.Count) };
        for (int a = 0; a < labels.Rank; a++)
        {
            layout._lengths[a] = labels.Length(a);
        }

        layout._axes = labels.Rank;
        layout.Add(OperandRole.Labels, labels);
        return layout;
    }

    /// <summary>
    /// Adds an operand already checked to have the right lengths: shaped like the logits (<see cref="OperandRole.Logits"/>,
    /// <see cref="OperandRole.Targets"/>, <see cref="OperandRole.Gradient"/>, and any role when <paramref name="elementWise"/>: the losses and upstream
    /// values of a sigmoid loss), or one entry per sample (the others).
    /// </summary>
    public void Add(OperandRole role, in OperandShape shape, bool elementWise = false)
    {
        bool classShaped = elementWise || role is OperandRole.Logits or OperandRole.Targets or OperandRole.Gradient;
        _present |= 1 << (int)role;
        ref AxisValues strides = ref _sampleStrides[(int)role];
        if (classShaped)
        {
            // With one class the stride is never used: take 1, so that such a tensor reads as contiguous rows.
            _classStrides[(int)role] = shape.Length(1) == 1 ? 1 : shape.Stride(1);
            for (int a = 0, axis = 0; a < shape.Rank; a++)
            {
                if (a != 1)
                {
                    strides[axis++] = shape.Stride(a);
                }
            }
        }
        else
        {
            for (int a = 0; a < shape.Rank; a++)
            {
                strides[a] = shape.Stride(a);
            }
        }
    }

    /// <summary>Adds one value shared by every sample (an upstream gradient under <see cref="Reduction.Mean"/> or <see cref="Reduction.Sum"/>).</summary>
    public void AddShared(OperandRole role)
    {
        _present |= 1 << (int)role;
        _sampleStrides[(int)role] = default;
    }

    /// <summary>Drops the axes of length 1 and merges the neighbours every operand stores one inside the other.</summary>
    public void Merge()
    {
        int kept = 0;
        for (int a = 0; a < _axes; a++)
        {
            if (_lengths[a] == 1)
            {
                continue;
            }

            if (kept > 0 && Contiguous(kept - 1, a))
            {
                _lengths[kept - 1] *= _lengths[a];
                MoveStrides(kept - 1, a);
                continue;
            }

            _lengths[kept] = _lengths[a];
            MoveStrides(kept, a);
            kept++;
        }

        _axes = kept;
    }

    /// <summary>Whether <paramref name="role"/> was given.</summary>
    public readonly bool Has(OperandRole role) => (_present & (1 << (int)role)) != 0;

    /// <summary>The distance between consecutive samples of a segment in <paramref name="role"/>.</summary>
    public readonly nint SampleStride(OperandRole role) => _axes == 0 ? 0 : _sampleStrides[(int)role][_axes - 1];

    /// <summary>The distance between consecutive classes of a sample in <paramref name="role"/> (a class-shaped operand).</summary>
    public readonly nint ClassStride(OperandRole role) => _classStrides[(int)role];

    /// <summary>The offset, in elements of <paramref name="role"/>, of sample <paramref name="sample"/>'s entry (class 0).</summary>
    public readonly nint Offset(OperandRole role, int sample)
    {
        nint offset = 0;
        long rest = sample;
        ref readonly AxisValues strides = ref _sampleStrides[(int)role];
        for (int a = _axes - 1; a >= 0 && rest != 0; a--)
        {
            long length = _lengths[a];
            offset += (nint)(rest % length) * strides[a];
            rest /= length;
        }

        return offset;
    }

    private readonly bool Contiguous(int outer, int inner)
    {
        for (int s = 0; s < Roles; s++)
        {
            if ((_present & (1 << s)) != 0 && _sampleStrides[s][outer] != _lengths[inner] * _sampleStrides[s][inner])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Every operand's stride of axis <paramref name="from"/> becomes that of axis <paramref name="to"/>.</summary>
    private void MoveStrides(int to, int from)
    {
        for (int s = 0; s < Roles; s++)
        {
            _sampleStrides[s][to] = _sampleStrides[s][from];
        }
    }

    [InlineArray(Roles)]
    private struct RoleStrides
    {
        private AxisValues _element;
    }

    [InlineArray(Roles)]
    private struct RoleClassStrides
    {
        private nint _element;
    }
}
