using System;
using System.Collections.Generic;

namespace LabelSmoothing.Tests.Support.GuardPages;

/// <summary>Operands in guarded memory, one <see cref="GuardedMemory"/> per buffer, all placed as <see cref="Placement"/> says.</summary>
internal sealed class GuardedOperands : CallOperands, IDisposable
{
    private readonly List<GuardedMemory> _memories = [];

    public GuardPlacement Placement { get; set; }

    public void Dispose()
    {
        foreach (GuardedMemory memory in _memories)
        {
            memory.Dispose();
        }
    }

    protected override Span<TElement> Buffer<TElement>(int index, int length)
    {
        if (index == _memories.Count)
        {
            _memories.Add(new GuardedMemory());
        }

        return _memories[index].Place<TElement>(length, Placement);
    }

    protected override ReadOnlySpan<byte> Bytes(int index, int bytes) => _memories[index].Place<byte>(bytes, Placement);
}
