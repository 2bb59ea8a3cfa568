using System.Collections.Frozen;

// One rule for language codes on both sides of /transcribe: the master normalises a job's language with it and the
// reference worker (which does not reference Orchard.Domain) compiles this same file into its own namespace.
#if ORCHARD_WORKER
namespace Orchard.Worker.Contract;
#else
namespace Orchard.Domain.Workers;
#endif

/// <summary>
/// Language codes as Whisper knows them (ISO 639-1, plus <c>haw</c>, <c>yue</c> and Whisper's <c>jw</c>), or
/// <c>auto</c>. A regional tag is cut to its language (<c>pt_BR</c>, <c>pt-BR</c> → <c>pt</c>: no engine
/// transcribes regions differently), English names and common three-letter codes are mapped (<c>english</c>,
/// <c>eng</c> → <c>en</c>), anything else is refused, so a worker is never sent a code it cannot know.
/// </summary>
public static class LanguageCode
{
    /// <summary>Let the engine detect the language.</summary>
    public const string Auto = "auto";

    /// <summary>What a refusal tells the user to send instead.</summary>
    public const string Expected = "a language code such as en, ja or pt-BR, an English language name such as english, or auto";

    // Whisper's LANGUAGES table (code → English name).
    private static readonly FrozenDictionary<string, string> Names = new Dictionary<string, string>
    {
        ["en"] = "english", ["zh"] = "chinese", ["de"] = "german", ["es"] = "spanish", ["ru"] = "russian", ["ko"] = "korean",
        ["fr"] = "french", ["ja"] = "japanese", ["pt"] = "portuguese", ["tr"] = "turkish", ["pl"] = "polish", ["ca"] = "catalan",
        ["nl"] = "dutch", ["ar"] = "arabic", ["sv"] = "swedish", ["it"] = "italian", ["id"] = "indonesian", ["hi"] = "hindi",
        ["fi"] = "finnish", ["vi"] = "vietnamese", ["he"] = "hebrew", ["uk"] = "ukrainian", ["el"] = "greek", ["ms"] = "malay",
        ["cs"] = "czech", ["ro"] = "romanian", ["da"] = "danish", ["hu"] = "hungarian", ["ta"] = "tamil", ["no"] = "norwegian",
        ["th"] = "thai", ["ur"] = "urdu", ["hr"] = "croatian", ["bg"] = "bulgarian", ["lt"] = "lithuanian", ["la"] = "latin",
        ["mi"] = "maori", ["ml"] = "malayalam", ["cy"] = "welsh", ["sk"] = "slovak", ["te"] = "telugu", ["fa"] = "persian",
        ["lv"] = "latvian", ["bn"] = "bengali", ["sr"] = "serbian", ["az"] = "azerbaijani", ["sl"] = "slovenian", ["kn"] = "kannada",
        ["et"] = "estonian", ["mk"] = "macedonian", ["br"] = "breton", ["eu"] = "basque", ["is"] = "icelandic", ["hy"] = "armenian",
        ["ne"] = "nepali", ["mn"] = "mongolian", ["bs"] = "bosnian", ["kk"] = "kazakh", ["sq"] = "albanian", ["sw"] = "swahili",
        ["gl"] = "galician", ["mr"] = "marathi", ["pa"] = "punjabi", ["si"] = "sinhala", ["km"] = "khmer", ["sn"] = "shona",
        ["yo"] = "yoruba", ["so"] = "somali", ["af"] = "afrikaans", ["oc"] = "occitan", ["ka"] = "georgian", ["be"] = "belarusian",
        ["tg"] = "tajik", ["sd"] = "sindhi", ["gu"] = "gujarati", ["am"] = "amharic", ["yi"] = "yiddish", ["lo"] = "lao",
        ["uz"] = "uzbek", ["fo"] = "faroese", ["ht"] = "haitian creole", ["ps"] = "pashto", ["tk"] = "turkmen", ["nn"] = "nynorsk",
        ["mt"] = "maltese", ["sa"] = "sanskrit", ["lb"] = "luxembourgish", ["my"] = "myanmar", ["bo"] = "tibetan", ["tl"] = "tagalog",
        ["mg"] = "malagasy", ["as"] = "assamese", ["tt"] = "tatar", ["haw"] = "hawaiian", ["ln"] = "lingala", ["ha"] = "hausa",
        ["ba"] = "bashkir", ["jw"] = "javanese", ["su"] = "sundanese", ["yue"] = "cantonese",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> Aliases = Names
        .Select(p => KeyValuePair.Create(p.Value, p.Key))
        .Concat(new Dictionary<string, string>
        {
            ["eng"] = "en", ["jpn"] = "ja", ["zho"] = "zh", ["chi"] = "zh", ["deu"] = "de", ["ger"] = "de", ["fra"] = "fr",
            ["fre"] = "fr", ["spa"] = "es", ["por"] = "pt", ["rus"] = "ru", ["kor"] = "ko", ["ita"] = "it", ["nld"] = "nl",
            ["dut"] = "nl", ["jv"] = "jw", ["iw"] = "he", ["nb"] = "no", ["mandarin"] = "zh", ["castilian"] = "es",
            ["farsi"] = "fa", ["burmese"] = "my", ["filipino"] = "tl", ["haitian"] = "ht", ["punjabi"] = "pa", ["flemish"] = "nl",
        })
        .ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// The canonical code for <paramref name="value"/> (<c>en</c>, <c>pt</c>, <c>auto</c>), null for none given,
    /// false for what is not a language this rule knows.
    /// </summary>
    public static bool TryNormalize(string? value, out string? code)
    {
        code = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return true;
        }

        var text = value.Trim().ToLowerInvariant().Replace('_', '-');
        if (text.Length > 35 || !text.All(c => char.IsAsciiLetterLower(c) || c is '-' or ' '))
        {
            return false;
        }

        if (text == Auto)
        {
            code = Auto;
            return true;
        }

        // A region or script tag never changes what the engine is asked for: "pt-br", "zh-hant", "en-us".
        var primary = text.Contains(' ', StringComparison.Ordinal) ? text : text.Split('-')[0];
        if (Names.ContainsKey(primary))
        {
            code = primary;
        }
        else if (Aliases.TryGetValue(primary, out var alias))
        {
            code = alias;
        }

        return code is not null;
    }

    /// <summary>True when <paramref name="code"/> (normalised) asks for English or lets the engine choose.</summary>
    public static bool IsEnglishOrAuto(string? code) => code is null or Auto or "en";
}
