// The namespaces nearly every file of the library uses: the element types' generic maths, the unsafe helpers of the kernels, and the
// layers of the call path (argument checks, operands and their layout, the call path itself, the SIMD operations).
global using System;
global using System.Numerics;
global using System.Runtime.CompilerServices;
global using LabelSmoothing.Internal.CallPath;
global using LabelSmoothing.Internal.Layout;
global using LabelSmoothing.Internal.Simd;
global using LabelSmoothing.Internal.Smoothing;
global using LabelSmoothing.Internal.Validation;
