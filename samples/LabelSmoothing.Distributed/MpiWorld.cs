using System;
using MPI;

namespace LabelSmoothing.Distributed;

/// <summary>
/// The MPI job: <c>MPI_Init_thread</c> through <see cref="MPI.Environment"/> on creation, <c>MPI_Finalize</c> on disposal, and the three
/// collectives the sample needs on <c>MPI_COMM_WORLD</c>.
/// </summary>
/// <remarks>
/// The collectives call MPI.NET's lowest layer, <see cref="Unsafe"/> (the C functions with MPI's predefined handles), on pinned spans.
/// MPI.NET's typed API (<c>AllgatherFlattened</c>, <c>Allreduce</c>) computes the same results, but its first use builds MPI.NET's datatype
/// cache, which commits derived datatypes (for <see cref="decimal"/> and others) that it never frees, so MPICH prints
/// <c>[WARNING] yaksa: 3 leaked handle pool objects</c> at <c>MPI_Finalize</c> on every rank; and it allocates arrays on every call.
/// </remarks>
public sealed unsafe class MpiWorld : IDisposable
{
    private readonly MPI.Environment _environment;

    /// <summary>Initialises MPI. <see cref="MpichLibrary.TryInstall"/> must have succeeded first.</summary>
    /// <param name="args">The command line, passed to <c>MPI_Init_thread</c> as MPI requires (MPI may remove its own arguments).</param>
    public MpiWorld(ref string[] args)
    {
        _environment = new MPI.Environment(ref args);
        Rank = Communicator.world.Rank;
        Size = Communicator.world.Size;
    }

    /// <summary>This process's rank in <c>MPI_COMM_WORLD</c>.</summary>
    public int Rank { get; }

    /// <summary>The number of processes in <c>MPI_COMM_WORLD</c>.</summary>
    public int Size { get; }

    /// <summary><c>MPI_Allgather</c> of doubles: every rank's <paramref name="send"/>, in rank order, into <paramref name="receive"/>.</summary>
    /// <param name="send">This rank's block; the same length on every rank.</param>
    /// <param name="receive">Receives <see cref="Size"/> blocks; <c>Size × send.Length</c> long.</param>
    public void Allgather(ReadOnlySpan<double> send, Span<double> receive)
    {
        if (receive.Length != (long)send.Length * Size)
        {
            throw new ArgumentException($"receive has length {receive.Length}, not Size × send.Length = {(long)send.Length * Size}.", nameof(receive));
        }

        fixed (double* sendPointer = send)
        fixed (double* receivePointer = receive)
        {
            Check(
                Unsafe.MPI_Allgather((IntPtr)sendPointer, send.Length, Unsafe.MPI_DOUBLE, (IntPtr)receivePointer, send.Length, Unsafe.MPI_DOUBLE, Unsafe.MPI_COMM_WORLD),
                "MPI_Allgather");
        }
    }

    /// <summary><c>MPI_Allreduce</c> with <c>MPI_SUM</c> of doubles, element by element.</summary>
    /// <param name="send">This rank's values.</param>
    /// <param name="receive">Receives the sums; as long as <paramref name="send"/>.</param>
    public void AllreduceSum(ReadOnlySpan<double> send, Span<double> receive)
    {
        SameLength(send.Length, receive.Length);
        fixed (double* sendPointer = send)
        fixed (double* receivePointer = receive)
        {
            Check(
                Unsafe.MPI_Allreduce((IntPtr)sendPointer, (IntPtr)receivePointer, send.Length, Unsafe.MPI_DOUBLE, Unsafe.MPI_SUM, Unsafe.MPI_COMM_WORLD),
                "MPI_Allreduce");
        }
    }

    /// <summary><c>MPI_Allreduce</c> with <c>MPI_MAX</c> of doubles, element by element.</summary>
    /// <param name="send">This rank's values.</param>
    /// <param name="receive">Receives the maxima; as long as <paramref name="send"/>.</param>
    public void AllreduceMax(ReadOnlySpan<double> send, Span<double> receive)
    {
        SameLength(send.Length, receive.Length);
        fixed (double* sendPointer = send)
        fixed (double* receivePointer = receive)
        {
            Check(
                Unsafe.MPI_Allreduce((IntPtr)sendPointer, (IntPtr)receivePointer, send.Length, Unsafe.MPI_DOUBLE, Unsafe.MPI_MAX, Unsafe.MPI_COMM_WORLD),
                "MPI_Allreduce");
        }
    }

    /// <summary><c>MPI_Allreduce</c> of 64-bit integers (<c>MPI_LONG_LONG</c>) with <c>MPI_MIN</c> or <c>MPI_MAX</c>, element by element.</summary>
    /// <param name="send">This rank's values.</param>
    /// <param name="receive">Receives the minima or maxima; as long as <paramref name="send"/>.</param>
    /// <param name="maximum">True for <c>MPI_MAX</c>, false for <c>MPI_MIN</c>.</param>
    public void AllreduceExtreme(ReadOnlySpan<long> send, Span<long> receive, bool maximum)
    {
        SameLength(send.Length, receive.Length);
        fixed (long* sendPointer = send)
        fixed (long* receivePointer = receive)
        {
            Check(
                Unsafe.MPI_Allreduce(
                    (IntPtr)sendPointer, (IntPtr)receivePointer, send.Length, Unsafe.MPI_LONG_LONG, maximum ? Unsafe.MPI_MAX : Unsafe.MPI_MIN, Unsafe.MPI_COMM_WORLD),
                "MPI_Allreduce");
        }
    }

    /// <summary><c>MPI_Abort</c>: ends every rank of the job (a rank that failed alone would leave the others waiting in a collective).</summary>
    /// <param name="exitCode">The exit code the job reports.</param>
    public static void Abort(int exitCode) => _ = Unsafe.MPI_Abort(Unsafe.MPI_COMM_WORLD, exitCode);

    /// <summary>Finalises MPI.</summary>
    public void Dispose() => _environment.Dispose();

    private static void SameLength(int send, int receive)
    {
        if (send != receive)
        {
            throw new ArgumentException($"receive has length {receive}, not send.Length = {send}.", nameof(receive));
        }
    }

    private static void Check(int errorCode, string function)
    {
        if (errorCode != Unsafe.MPI_SUCCESS)
        {
            throw new InvalidOperationException($"{function} failed with MPI error code {errorCode}.");
        }
    }
}
