// SPDX-License-Identifier: GPL-2.0-or-later
#include "highlighterfactory.h"

#include "highlight/csshighlighter.h"
#include "highlight/javascripthighlighter.h"
#include "highlight/jsonhighlighter.h"
#include "highlight/xmlhighlighter.h"

#ifdef HTTPTAP_HAVE_KF6_SYNTAX
#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/SyntaxHighlighter>
#include <KSyntaxHighlighting/Theme>
#endif

#include <QTextDocument>

namespace httptap {

#ifdef HTTPTAP_HAVE_KF6_SYNTAX
namespace {

QSyntaxHighlighter* kf6Highlighter(QTextDocument* document, const QString& name, const QPalette& palette)
{
    static KSyntaxHighlighting::Repository repository;
    const KSyntaxHighlighting::Definition definition = repository.definitionForName(name);
    if (!definition.isValid())
        return nullptr;
    auto* highlighter = new KSyntaxHighlighting::SyntaxHighlighter(document);
    highlighter->setTheme(repository.defaultTheme(isDarkPalette(palette) ? KSyntaxHighlighting::Repository::DarkTheme
                                                                         : KSyntaxHighlighting::Repository::LightTheme));
    highlighter->setDefinition(definition);
    return highlighter;
}

} // namespace
#endif

QSyntaxHighlighter* attachHighlighter(QTextDocument* document, BodyKind kind, const QPalette& palette)
{
#ifdef HTTPTAP_HAVE_KF6_SYNTAX
    const char* name = nullptr;
    switch (kind) {
    case BodyKind::Json: name = "JSON"; break;
    case BodyKind::Xml: case BodyKind::Svg: name = "XML"; break;
    case BodyKind::Html: name = "HTML"; break;
    case BodyKind::JavaScript: name = "JavaScript"; break;
    case BodyKind::Css: name = "CSS"; break;
    default: break;
    }
    if (name)
        if (QSyntaxHighlighter* highlighter = kf6Highlighter(document, QString::fromLatin1(name), palette))
            return highlighter;
#endif
    switch (kind) {
    case BodyKind::Json:
        return new JsonHighlighter(document, palette);
    case BodyKind::Xml:
    case BodyKind::Html:
    case BodyKind::Svg:
        return new XmlHighlighter(document, palette);
    case BodyKind::JavaScript:
        return new JavaScriptHighlighter(document, palette);
    case BodyKind::Css:
        return new CssHighlighter(document, palette);
    default:
        return nullptr;
    }
}

} // namespace httptap
