// SPDX-License-Identifier: GPL-2.0-or-later
// The Initiator column and tab (issue 12) on flows with canned, already named stacks: the
// column shows the frame initiatorFrame() picks, its tooltip the top frames; the detail pane's
// Initiator tab lists every frame, marks the chosen one, shows the partial banner and copies the
// stack as text. Captured names and thread names are hostile: shown escaped.

#include "darkpalette.h"
#include "detailpane.h"
#include "guifixture.h"
#include "initiatorpage.h"
#include "models/flowfilterproxy.h"
#include "models/flowstore.h"
#include "models/flowtablemodel.h"
#include "models/texttablemodel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QStyle>
#include <QStyleFactory>
#include <QTextDocument>
#include <QTabWidget>
#include <QTest>

using namespace httptap;

namespace {

StackFrame frame(uint64_t address, const char* module, const char* symbol, uint64_t symbolOffset, uint64_t moduleOffset)
{
    StackFrame f;
    f.address = address;
    f.module = QString::fromUtf8(module);
    f.moduleOffset = moduleOffset;
    f.symbol = QString::fromUtf8(symbol);
    f.symbolOffset = symbolOffset;
    return f;
}

// A curl-based program: libc, libcurl, then the program's fetch_user.
std::shared_ptr<const InitiatorStack> curlStack(bool partial)
{
    auto s = std::make_shared<InitiatorStack>();
    s->tid = 4243;
    s->thread = QStringLiteral("fetcher");
    s->timestampNs = 1'000'000;
    s->partial = partial;
    s->frames = { frame(0x7f3a1c11f017, "/usr/lib/x86_64-linux-gnu/libc.so.6", "__libc_send", 0x17, 0x11f017),
        frame(0x7f3a1c4a2c40, "/usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0", "Curl_sendf", 0x40, 0x2ac40),
        frame(0x7f3a1c4b1209, "/usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0", "curl_easy_perform", 0x9, 0x39209),
        frame(0x55d0c0a0151c, "/opt/app/bin/fetcher", "fetch_user", 0x1c, 0x151c),
        frame(0x55d0c0a01630, "/opt/app/bin/fetcher", "main", 0x30, 0x1630),
        frame(0x55d0c0a02000, "/opt/app/bin/fetcher", "", 0, 0x2000) };
    return s;
}

// Names and a thread name a hostile target could choose.
std::shared_ptr<const InitiatorStack> hostileStack()
{
    auto s = std::make_shared<InitiatorStack>();
    s->tid = 7;
    s->thread = QStringLiteral("<b>x\x1b[2J");
    s->timestampNs = 2;
    s->frames = { frame(0x1000, "/tmp/evil\x1b[31m.so", "<img src=x>\r\nspoof", 0x1, 0x1000) };
    return s;
}

} // namespace

class TestInitiator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(QApplication::style()->standardPalette());
    }

    void column()
    {
        FlowStore store;
        FlowTableModel model(&store);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const auto curl = curlStack(false);
        Flow a = test::syntheticFlow(1);
        a.initiator = curl;
        Flow b = test::syntheticFlow(2); // no stack captured
        Flow c = test::syntheticFlow(3);
        c.initiator = hostileStack();
        store.append(std::move(a));
        store.append(std::move(b));
        store.append(std::move(c));
        store.flush();
        QCOMPARE(model.rowCount(), 3);
        const int col = FlowTableModel::InitiatorColumn;
        QCOMPARE(model.headerData(col, Qt::Horizontal).toString(), QStringLiteral("Initiator"));
        QCOMPARE(model.index(0, col).data().toString(), QStringLiteral("fetcher!fetch_user+0x1c"));
        QCOMPARE(model.index(1, col).data().toString(), QString());
        QCOMPARE(model.index(2, col).data().toString(), QStringLiteral("evil\\x1b[31m.so!<img src=x>\\r\\nspoof+0x1"));
        QCOMPARE(model.index(0, col).data(Qt::ToolTipRole).toString(),
            QStringLiteral("Initiator: thread id 4243\nThread name: fetcher\n"
                           "   #0  libc.so.6!__libc_send+0x17\n"
                           "   #1  libcurl.so.4.8.0!Curl_sendf+0x40\n"
                           "   #2  libcurl.so.4.8.0!curl_easy_perform+0x9\n"
                           "▶ #3  fetcher!fetch_user+0x1c\n"
                           "   #4  fetcher!main+0x30\n"
                           "   #5  fetcher+0x2000"));
        const QString hostileTip = model.index(2, col).data(Qt::ToolTipRole).toString();
        QVERIFY(hostileTip.startsWith(QStringLiteral("Initiator: thread id 7\nThread name: <b>x\\x1b[2J\n")));
        QVERIFY(!Qt::mightBeRichText(hostileTip));
        QVERIFY(!model.index(1, col).data(Qt::ToolTipRole).isValid());

        // Sorted by the frame shown: "" < "evil…" < "fetcher…".
        FlowFilterProxy proxy;
        proxy.setSourceModel(&model);
        proxy.sort(col, Qt::AscendingOrder);
        proxy.waitForIdle();
        QCOMPARE(proxy.rowCount(), 3);
        QCOMPARE(proxy.index(0, col).data().toString(), QString());
        QVERIFY(proxy.index(1, col).data().toString().startsWith(QLatin1String("evil")));
        QCOMPARE(proxy.index(2, col).data().toString(), QStringLiteral("fetcher!fetch_user+0x1c"));

        // Flows of one call site share their frames (and the text); after Clear the pool starts over.
        Flow again = test::syntheticFlow(4);
        auto sameSite = std::make_shared<InitiatorStack>(*curl); // another request: its own tid and time
        sameSite->timestampNs = 5'000'000;
        again.initiator = sameSite;
        store.append(std::move(again));
        store.flush();
        QCOMPARE(model.index(3, col).data().toString(), QStringLiteral("fetcher!fetch_user+0x1c"));
        store.clear();
        Flow after = test::syntheticFlow(5);
        after.initiator = hostileStack();
        store.append(std::move(after));
        store.flush();
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, col).data().toString(), QStringLiteral("evil\\x1b[31m.so!<img src=x>\\r\\nspoof+0x1"));
    }

    void detailTab()
    {
        DetailPane pane;
        QTabWidget* tabs = pane.tabs();
        InitiatorPage* page = pane.initiatorPage();
        const int tab = tabs->indexOf(page);
        QVERIFY(tab >= 0);
        QCOMPARE(tabs->tabText(tab), QStringLiteral("Initiator"));

        Flow f = test::syntheticFlow(1);
        f.initiator = curlStack(true);
        pane.setFlow(&f);
        QVERIFY(tabs->isTabVisible(tab));
        const QList<QStringList>& rows = page->model()->rows();
        QCOMPARE(rows.size(), 6);
        QCOMPARE(rows[0], (QStringList { "0", "__libc_send+0x17", "/usr/lib/x86_64-linux-gnu/libc.so.6", "0x7f3a1c11f017" }));
        QCOMPARE(rows[3], (QStringList { "▶ 3", "fetch_user+0x1c", "/opt/app/bin/fetcher", "0x55d0c0a0151c" }));
        QCOMPARE(rows[5][1], QStringLiteral("(no symbol) +0x2000"));
        QCOMPARE(page->threadText(), QStringLiteral("Thread: fetcher (tid 4243) — 6 frames, innermost first"));
        QVERIFY(page->bannerText().startsWith(QStringLiteral("Frame pointers missing: stack incomplete.")));
        const QString text = QStringLiteral("thread fetcher (tid 4243), partial: frame pointers missing\n"
                                            "#0   0x00007f3a1c11f017  libc.so.6!__libc_send+0x17\n"
                                            "#1   0x00007f3a1c4a2c40  libcurl.so.4.8.0!Curl_sendf+0x40\n"
                                            "#2   0x00007f3a1c4b1209  libcurl.so.4.8.0!curl_easy_perform+0x9\n"
                                            "#3   0x000055d0c0a0151c  fetcher!fetch_user+0x1c\n"
                                            "#4   0x000055d0c0a01630  fetcher!main+0x30\n"
                                            "#5   0x000055d0c0a02000  fetcher+0x2000\n");
        QCOMPARE(page->stackText(), text);
        page->copyStack();
        QCOMPARE(QGuiApplication::clipboard()->text(), text);

        // Whole stack: no banner. Hostile names: escaped.
        Flow whole = test::syntheticFlow(2);
        whole.initiator = curlStack(false);
        pane.setFlow(&whole);
        QCOMPARE(page->bannerText(), QString());
        Flow evil = test::syntheticFlow(3);
        evil.initiator = hostileStack();
        pane.setFlow(&evil);
        QCOMPARE(page->model()->rows()[0][1], QStringLiteral("<img src=x>\\r\\nspoof+0x1"));
        QCOMPARE(page->model()->rows()[0][2], QStringLiteral("/tmp/evil\\x1b[31m.so"));
        QCOMPARE(page->threadText(), QStringLiteral("Thread: <b>x\\x1b[2J (tid 7) — 1 frame, innermost first"));
        QVERIFY(!page->stackText().contains(QChar(0x1b)));

        // No stack: no tab.
        Flow none = test::syntheticFlow(4);
        pane.setFlow(&none);
        QVERIFY(!tabs->isTabVisible(tab));
        QCOMPARE(page->model()->rows().size(), 0);
    }

    void screenshot_data()
    {
        QTest::addColumn<bool>("dark");
        QTest::newRow("light") << false;
        QTest::newRow("dark") << true;
    }
    void screenshot()
    {
        QFETCH(bool, dark);
        if (dark)
            QApplication::setPalette(darkPalette());
        DetailPane pane;
        Flow f = test::syntheticFlow(1);
        f.initiator = curlStack(true);
        pane.setFlow(&f);
        pane.tabs()->setCurrentWidget(pane.initiatorPage());
        pane.resize(900, 360);
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        const QPixmap shot = pane.grab();
        QCOMPARE(shot.size(), QSize(900, 360) * shot.devicePixelRatio());
        const QString name = dark ? QStringLiteral("initiator-dark.png") : QStringLiteral("initiator-light.png");
        QStringList dirs { QStringLiteral(HTTPTAP_TEST_OUTPUT_DIR) };
        if (qEnvironmentVariableIntValue("HTTPTAP_UPDATE_SCREENSHOTS"))
            dirs << QStringLiteral(HTTPTAP_SCREENSHOT_DIR);
        for (const QString& dir : dirs) {
            QDir().mkpath(dir);
            QVERIFY(shot.save(dir + QLatin1Char('/') + name));
        }
    }
};

QTEST_MAIN(TestInitiator)
#include "tst_initiator.moc"
