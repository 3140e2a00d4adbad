using System.Numerics.Tensors;

namespace LabelSmoothing.Internal.Layout;

/// <summary>The views a <see cref="Tensor{T}"/> argument hands to the tensor-span doors, after a null check naming it.</summary>
internal static class TensorArgument
{
    public static ReadOnlyTensorSpan<T> Read<T>(Tensor<T>? tensor, string paramName)
    {
        ArgumentNullException.ThrowIfNull(tensor, paramName);
        return tensor.AsReadOnlyTensorSpan();
    }

    public static TensorSpan<T> Write<T>(Tensor<T>? tensor, string paramName)
    {
        ArgumentNullException.ThrowIfNull(tensor, paramName);
        return tensor.AsTensorSpan();
    }
}
