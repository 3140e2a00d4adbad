using FluentAssertions;
using LabelSmoothing.Demo;
using Xunit;

namespace LabelSmoothing.Tests.Samples.Demo;

public sealed class DemoTextLayoutTests
{
    private static readonly string[] Headers = ["run", "noise", "accuracy", "NLL", "T"];

    private static readonly string[][] Rows =
    [
        ["cross-entropy", "0%", "97.2%", "0.070", "1.13"],
        ["label smoothing (α = 0.1)", "30%", "83.6%", "0.716", "0.49"],
    ];

    [Fact]
    public void Table_ThatFitsThePage_IsOneTable_FirstColumnLeftAligned_OthersRightAligned_TwoSpacesApart()
    {
        TextLayout.Table(Headers, Rows, keyColumns: 2, width: 55).Should().Equal(
            "run                        noise  accuracy    NLL     T",
            "cross-entropy                 0%     97.2%  0.070  1.13",
            "label smoothing (α = 0.1)    30%     83.6%  0.716  0.49");
    }

    [Fact]
    public void Table_WiderThanThePage_IsSplitIntoTablesThatRepeatTheKeyColumns_EachWithinThePage()
    {
        TextLayout.Table(Headers, Rows, keyColumns: 2, width: 49).Should().Equal(
            "run                        noise  accuracy    NLL",
            "cross-entropy                 0%     97.2%  0.070",
            "label smoothing (α = 0.1)    30%     83.6%  0.716",
            "",
            "run                        noise     T",
            "cross-entropy                 0%  1.13",
            "label smoothing (α = 0.1)    30%  0.49");
    }

    [Fact]
    public void Table_OnAPageNarrowerThanItsKeyColumns_GivesEachValueColumnATableOfItsOwn_AndCutsNoCell()
    {
        TextLayout.Table(Headers, Rows, keyColumns: 2, width: 10).Should().Equal(
            "run                        noise  accuracy",
            "cross-entropy                 0%     97.2%",
            "label smoothing (α = 0.1)    30%     83.6%",
            "",
            "run                        noise    NLL",
            "cross-entropy                 0%  0.070",
            "label smoothing (α = 0.1)    30%  0.716",
            "",
            "run                        noise     T",
            "cross-entropy                 0%  1.13",
            "label smoothing (α = 0.1)    30%  0.49");
    }

    [Fact]
    public void Wrap_BreaksBetweenWordsOnly_IndentsTheFollowingLines_AndGivesALongerWordALineOfItsOwn()
    {
        TextLayout.Wrap("accuracy from 75.6% to 83.6% (+8.1 points) in /a/folder/longer/than/the/page", 20, "• ").Should().Equal(
            "• accuracy from",
            "  75.6% to 83.6%",
            "  (+8.1 points) in",
            "  /a/folder/longer/than/the/page");
    }
}
