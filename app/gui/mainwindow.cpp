// SPDX-License-Identifier: GPL-2.0-or-later
#include "mainwindow.h"

#include "captureio.h"
#include "largebodies.h"
#include "comparedialog.h"
#include "detailpane.h"
#include "livecapture.h"
#include "processpickerdialog.h"
#include "statswindow.h"
#include "waterfalldelegate.h"
#include "export/curlcommand.h"
#include "export/harreader.h"
#include "export/harwriter.h"
#include "export/jsonlwriter.h"
#include "filter/flowfilter.h"
#include "models/flowfilterproxy.h"
#include "models/flowstore.h"
#include "models/flowtablemodel.h"
#include "models/textescape.h"

#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSaveFile>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QToolBar>

namespace httptap {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_store(new FlowStore(this))
    , m_model(new FlowTableModel(m_store, this))
    , m_proxy(new FlowFilterProxy(this))
    , m_flowView(new QTableView)
    , m_detail(new DetailPane)
    , m_filterEdit(new QLineEdit)
    , m_filterError(new QLabel)
    , m_filterTimer(new QTimer(this))
    , m_sourceLabel(new QLabel)
    , m_countLabel(new QLabel)
    , m_lostLabel(new QLabel)
    , m_errorLabel(new QLabel)
    , m_dataLabel(new QLabel)
    , m_incompleteLabel(new QLabel)
    , m_live(new LiveCapture(this))
    , m_progressTimer(new QTimer(this))
{
    setWindowTitle(QStringLiteral("httptap"));
    setWindowIcon(QIcon::fromTheme(QStringLiteral("org.httptap.Httptap")));
    m_proxy->setSourceModel(m_model);

    m_flowView->setObjectName(QStringLiteral("flowView"));
    m_flowView->setModel(m_proxy);
    m_flowView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_flowView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_flowView->setWordWrap(false);
    m_flowView->setShowGrid(false);
    m_flowView->setAlternatingRowColors(true);
    m_flowView->verticalHeader()->hide();
    // Uniform rows: the view never measures a million of them.
    m_flowView->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_flowView->verticalHeader()->setDefaultSectionSize(m_flowView->fontMetrics().height() + 6);
    QHeaderView* header = m_flowView->horizontalHeader();
    header->setSortIndicatorClearable(true);
    header->setSortIndicator(-1, Qt::AscendingOrder);
    m_flowView->setSortingEnabled(true);
    resetColumns();
    header->setSectionsMovable(true);
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(header, &QWidget::customContextMenuRequested, this, [this, header](const QPoint& pos) {
        QMenu* menu = createColumnMenu(this);
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->popup(header->mapToGlobal(pos));
    });
    new WaterfallDelegate(m_flowView, FlowTableModel::WaterfallColumn, m_store);
    m_flowView->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_flowView, &QWidget::customContextMenuRequested, this,
        [this](const QPoint& pos) { if (!selectedFlows().isEmpty()) m_contextMenu->popup(m_flowView->viewport()->mapToGlobal(pos)); });
    connect(m_flowView->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::selectionChanged);

    auto* splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(m_flowView);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    setCentralWidget(splitter);

    m_filterEdit->setObjectName(QStringLiteral("filterEdit"));
    m_filterEdit->setPlaceholderText(tr("Filter: text, /regex/, host=…, status>=400, method:POST, -domain:…"));
    m_filterEdit->setClearButtonEnabled(true);
    m_filterError->setObjectName(QStringLiteral("filterError"));
    m_filterError->setTextFormat(Qt::PlainText);
    m_filterError->setStyleSheet(QStringLiteral("color: #d93f3f;"));
    m_filterError->hide();
    m_filterTimer->setSingleShot(true);
    m_filterTimer->setInterval(150);
    connect(m_filterEdit, &QLineEdit::textChanged, m_filterTimer, qOverload<>(&QTimer::start));
    connect(m_filterTimer, &QTimer::timeout, this, &MainWindow::applyFilter);

    for (QLabel* l : { m_sourceLabel, m_countLabel, m_lostLabel, m_errorLabel, m_dataLabel, m_incompleteLabel })
        l->setTextFormat(Qt::PlainText);
    m_dataLabel->setObjectName(QStringLiteral("dataLabel"));
    m_dataLabel->setToolTip(tr("Request and response body bytes of every flow"));
    m_incompleteLabel->setObjectName(QStringLiteral("incompleteLabel"));
    m_incompleteLabel->setToolTip(tr("Flows not seen whole: bytes missing, no response, or closed early "
                                     "(the badge in the Name column says why)"));
    m_incompleteLabel->setStyleSheet(QStringLiteral("color: #b86e00;"));
    m_errorLabel->setWordWrap(false);
    m_sourceLabel->setObjectName(QStringLiteral("sourceLabel"));
    m_countLabel->setObjectName(QStringLiteral("countLabel"));
    m_lostLabel->setObjectName(QStringLiteral("lostLabel"));
    m_errorLabel->setObjectName(QStringLiteral("errorLabel"));
    m_errorLabel->setStyleSheet(QStringLiteral("color: #d93f3f;"));
    statusBar()->addWidget(m_sourceLabel, 1);
    statusBar()->addPermanentWidget(m_errorLabel);
    statusBar()->addPermanentWidget(m_lostLabel);
    statusBar()->addPermanentWidget(m_incompleteLabel);
    statusBar()->addPermanentWidget(m_dataLabel);
    statusBar()->addPermanentWidget(m_countLabel);
    connect(m_store, &FlowStore::flowsAppended, this, &MainWindow::countFlows);
    connect(m_store, &FlowStore::flowsUpdated, this, &MainWindow::recountFlows);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateStatus);
    // Auto-scroll: follow new rows while the view is at the bottom; scrolling up stops that,
    // scrolling back down resumes it. Rows arriving grow the range without moving the value.
    QScrollBar* vertical = m_flowView->verticalScrollBar();
    connect(vertical, &QScrollBar::valueChanged, this,
        [this, vertical](int value) { m_followNewRows = value >= vertical->maximum(); });
    connect(vertical, &QScrollBar::rangeChanged, this, [this, vertical](int, int maximum) {
        if (m_followNewRows)
            vertical->setValue(maximum);
    });
    // The selected flow, when it is updated in place, is shown anew (the pane appends what grew).
    connect(m_store, &FlowStore::flowsUpdated, this, &MainWindow::selectedFlowsUpdated);
    // The assembler reports growth of open exchanges when records arrive; this covers a quiet stream.
    m_progressTimer->setInterval(250);
    connect(m_progressTimer, &QTimer::timeout, this, [this] {
        if (m_liveParser)
            m_liveParser->flushProgress();
    });
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &MainWindow::updateStatus);

    setupActions();
    m_sourceLabel->setText(tr("No capture. Open a capture file, or record with: sudo httptap-record --raw FILE -- COMMAND"));
    updateStatus();
    resize(1280, 720);
}

MainWindow::~MainWindow()
{
    // Its engine reads the store's flows on a worker: it goes first.
    delete m_stats;
    m_proxy->waitForIdle();
    // Children are destroyed after this body, by ~QWidget: the view hides and its scroll bar
    // changes range then, which must not reach the auto-scroll lambdas of a MainWindow gone.
    m_flowView->verticalScrollBar()->disconnect(this);
}

StatsWindow* MainWindow::showStatistics()
{
    if (!m_stats)
        m_stats = new StatsWindow(this, this);
    m_stats->show();
    m_stats->raise();
    m_stats->activateWindow();
    return m_stats;
}

namespace {

// "curl (4242), python3 (17)": what the status bar says is being captured.
QString describeProcesses(const std::vector<pid_t>& pids)
{
    QStringList parts;
    for (pid_t pid : pids) {
        QFile comm(QStringLiteral("/proc/%1/comm").arg(pid));
        const QString name = comm.open(QIODevice::ReadOnly) ? escapeBytes(comm.read(64).trimmed()) : QString();
        parts << (name.isEmpty() ? QString::number(pid) : QStringLiteral("%1 (%2)").arg(name).arg(pid));
    }
    return parts.join(QStringLiteral(", "));
}

} // namespace

bool MainWindow::beginCapture(const std::function<bool(QString*)>& start, const QString& targets, QString* error)
{
    if (m_live->isRunning())
        stopCapture();
    clearFlows();
    startLiveParser();
    QString why;
    if (!start(&why)) {
        m_progressTimer->stop();
        m_liveParser.reset();
        if (error)
            *error = why;
        showError(why);
        return false;
    }
    m_sourceLabel->setText(targets);
    m_recordAction->setEnabled(false);
    m_stopAction->setEnabled(true);
    m_addAction->setEnabled(true);
    return true;
}

bool MainWindow::startCapture(const std::vector<pid_t>& pids, bool followChildren, QString* error)
{
    const QString targets = tr("Capturing %1%2").arg(describeProcesses(pids), followChildren ? tr(" and children") : QString());
    return beginCapture([&](QString* why) { return m_live->start(pids, followChildren, why); }, targets, error);
}

bool MainWindow::startCommand(const QStringList& argv, const QString& workingDirectory, bool followChildren, QString* error)
{
    const QString targets = tr("Capturing command: %1").arg(escapeControl(argv.join(QLatin1Char(' '))));
    return beginCapture([&](QString* why) { return m_live->startCommand(argv, workingDirectory, followChildren, why); },
        targets, error);
}

bool MainWindow::addProcesses(const std::vector<pid_t>& pids, QString* error)
{
    QString why;
    if (!m_live->addPids(pids, &why)) {
        if (error)
            *error = why;
        showError(why);
        return false;
    }
    m_sourceLabel->setText(m_sourceLabel->text() + QStringLiteral(", ") + describeProcesses(pids));
    return true;
}

void MainWindow::startLiveParser()
{
    // Open exchanges show as pending rows and grow in place (FlowStore replaces their versions).
    m_liveParser = std::make_unique<RawCaptureParser>([this](Flow&& flow) { m_store->append(std::move(flow)); },
        [this](const Flow& flow) { m_store->append(Flow(flow)); });
    m_liveParser->setLive(true);
    m_progressTimer->start();
}

void MainWindow::feedLiveBytes(const QByteArray& bytes)
{
    if (!m_liveParser)
        startLiveParser();
    captureBytes(bytes);
}

void MainWindow::selectedFlowsUpdated(const std::vector<int>& indices)
{
    const QList<const Flow*> flows = selectedFlows();
    if (flows.size() != 1)
        return;
    const Flow* shown = flows.first();
    for (int index : indices) {
        if (&m_store->at(index) == shown) {
            m_detail->setFlow(shown);
            return;
        }
    }
}

void MainWindow::stopCapture()
{
    m_live->stop();
}

void MainWindow::captureBytes(const QByteArray& bytes)
{
    if (!m_liveParser || bytes.isEmpty())
        return;
    m_raw += bytes;
    if (!m_liveParser->feed(bytes)) {
        showError(m_liveParser->errorString());
        m_live->stop();
    }
    m_clock = m_liveParser->clock();
    if (m_liveParser->lostEvents() != m_lostEvents) {
        m_lostEvents = m_liveParser->lostEvents();
        updateStatus();
    }
    for (const QString& notice : m_liveParser->takeNotices())
        statusBar()->showMessage(notice, 10'000);
}

void MainWindow::captureFinished(const QString& error)
{
    m_progressTimer->stop();
    if (m_liveParser)
        m_liveParser->finish();
    m_store->flush();
    m_recordAction->setEnabled(true);
    m_stopAction->setEnabled(false);
    m_addAction->setEnabled(false);
    m_sourceLabel->setText(m_sourceLabel->text() + tr(" (stopped)"));
    // The helper's own words (no BPF, no such process…) say more than its exit status.
    const QString notice = m_liveParser ? m_liveParser->errorNotice() : QString();
    if (!notice.isEmpty())
        showError(tr("The capture failed: %1").arg(notice));
    else if (!error.isEmpty())
        showError(error);
    m_liveParser.reset();
}

void MainWindow::pickProcesses()
{
    ProcessPickerDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    if (!dialog.launchArguments().isEmpty())
        startCommand(dialog.launchArguments(), dialog.launchDirectory(), dialog.followChildren());
    else
        startCapture(dialog.selectedPids(), dialog.followChildren());
}

void MainWindow::pickMoreProcesses()
{
    ProcessPickerDialog dialog(this, ProcessPickerDialog::Mode::AddToCapture);
    if (dialog.exec() == QDialog::Accepted)
        addProcesses(dialog.selectedPids());
}

void MainWindow::setupActions()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(QIcon::fromTheme(QStringLiteral("document-open")), tr("&Open Capture…"), this, &MainWindow::openDialog);
    open->setObjectName(QStringLiteral("actionOpen"));
    open->setShortcut(QKeySequence::Open);
    QAction* saveRaw = file->addAction(tr("&Save Raw Capture…"), this, [this] {
        saveDialog(tr("Save Raw Capture"), tr("httptap captures (*.httptap)"),
            [this](const QString& path, QString* error) { return saveRawCapture(path, error); });
    });
    saveRaw->setObjectName(QStringLiteral("actionSaveRaw"));
    saveRaw->setShortcut(QKeySequence::Save);
    QAction* saveHarAction = file->addAction(tr("Save All as &HAR…"), this, [this] {
        saveDialog(tr("Save as HAR"), tr("HTTP Archive (*.har)"),
            [this](const QString& path, QString* error) { return saveHar(path, error); });
    });
    saveHarAction->setObjectName(QStringLiteral("actionSaveHar"));
    QAction* saveHarSensitive = file->addAction(tr("Save All as HAR with &Sensitive Data…"), this, [this] {
        saveDialog(tr("Save as HAR with Sensitive Data"), tr("HTTP Archive (*.har)"),
            [this](const QString& path, QString* error) { return saveHar(path, error, true); });
    });
    saveHarSensitive->setObjectName(QStringLiteral("actionSaveHarSensitive"));
    saveHarSensitive->setToolTip(tr("Keeps Authorization, Cookie and Set-Cookie values, which a plain save redacts"));
    QAction* saveSelection = file->addAction(tr("Save Se&lection as HAR…"), this, [this] {
        saveDialog(tr("Save Selection as HAR"), tr("HTTP Archive (*.har)"),
            [this](const QString& path, QString* error) { return saveSelectionHar(path, error); });
    });
    saveSelection->setObjectName(QStringLiteral("actionSaveSelectionHar"));
    QAction* jsonl = file->addAction(tr("Export &JSONL…"), this, [this] {
        saveDialog(tr("Export JSONL"), tr("JSON Lines (*.jsonl)"),
            [this](const QString& path, QString* error) { return exportJsonl(path, error); });
    });
    jsonl->setObjectName(QStringLiteral("actionExportJsonl"));
    file->addSeparator();
    file->addAction(tr("&Compare Captures…"), this, &MainWindow::compareCapturesDialog)
        ->setObjectName(QStringLiteral("actionCompareCaptures"));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), qApp, &QApplication::quit);
    quit->setShortcut(QKeySequence::Quit);
    quit->setObjectName(QStringLiteral("actionQuit"));

    QMenu* view = menuBar()->addMenu(tr("&View"));
    QAction* statistics = view->addAction(QIcon::fromTheme(QStringLiteral("office-chart-bar")), tr("&Statistics"), this,
        &MainWindow::showStatistics);
    statistics->setObjectName(QStringLiteral("actionStatistics"));
    statistics->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    statistics->setToolTip(tr("Requests per second, latency and endpoints of the flows the filter shows"));
    view->addSeparator();
    addLargeBodiesMenu(view);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About httptap"), this, &MainWindow::showAbout)->setObjectName(QStringLiteral("actionAbout"));

    QToolBar* bar = addToolBar(tr("Capture"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setMovable(false);
    m_recordAction = bar->addAction(QIcon::fromTheme(QStringLiteral("media-record")), tr("Record…"), this, &MainWindow::pickProcesses);
    m_recordAction->setObjectName(QStringLiteral("actionRecord"));
    m_recordAction->setToolTip(tr("Choose processes and capture their HTTP traffic"));
    m_stopAction = bar->addAction(QIcon::fromTheme(QStringLiteral("media-playback-stop")), tr("Stop"), this, &MainWindow::stopCapture);
    m_stopAction->setObjectName(QStringLiteral("actionStop"));
    m_stopAction->setEnabled(false);
    m_addAction = bar->addAction(QIcon::fromTheme(QStringLiteral("list-add")), tr("Add Process…"), this, &MainWindow::pickMoreProcesses);
    m_addAction->setObjectName(QStringLiteral("actionAddProcess"));
    m_addAction->setToolTip(tr("Capture more processes in the running capture"));
    m_addAction->setEnabled(false);
    connect(m_live, &LiveCapture::bytesReceived, this, &MainWindow::captureBytes);
    connect(m_live, &LiveCapture::finished, this, &MainWindow::captureFinished);
    connect(m_live, &LiveCapture::notice, this, [this](const QString& text) { statusBar()->showMessage(text, 10'000); });
    bar->addAction(open);
    QAction* clear = bar->addAction(QIcon::fromTheme(QStringLiteral("edit-clear-all")), tr("Clear"), this, &MainWindow::clearFlows);
    clear->setObjectName(QStringLiteral("actionClear"));
    bar->addAction(statistics);
    bar->addSeparator();
    bar->addWidget(m_filterEdit);
    bar->addWidget(m_filterError);
    m_filterEdit->setMinimumWidth(360);
    bar->addSeparator();
    // Quick toggles, as in a browser: none checked shows every type; several add up.
    const std::pair<const char*, const char*> types[] = { { QT_TR_NOOP("JSON"), "mime-type:json" },
        { QT_TR_NOOP("Doc"), "type:html" }, { QT_TR_NOOP("JS"), "type:script" }, { QT_TR_NOOP("CSS"), "type:css" },
        { QT_TR_NOOP("Img"), "mime-type:image/" },
        { QT_TR_NOOP("Other"), "not (mime-type:json or type:html or type:script or type:css or mime-type:image/)" } };
    for (const auto& [label, expression] : types) {
        QAction* toggle = bar->addAction(tr(label));
        toggle->setCheckable(true);
        toggle->setData(QString::fromLatin1(expression));
        toggle->setObjectName(QStringLiteral("type%1").arg(QString::fromLatin1(label)));
        connect(toggle, &QAction::toggled, this, &MainWindow::applyFilter);
        m_typeToggles << toggle;
    }
    m_errorsOnly = bar->addAction(tr("Errors only"));
    m_errorsOnly->setCheckable(true);
    m_errorsOnly->setObjectName(QStringLiteral("errorsOnly"));
    m_errorsOnly->setToolTip(tr("Status 400 and above, or no response"));
    connect(m_errorsOnly, &QAction::toggled, this, &MainWindow::applyFilter);

    m_contextMenu = new QMenu(this);
    m_contextMenu->addAction(tr("Copy URL"), this, &MainWindow::copyUrl)->setObjectName(QStringLiteral("actionCopyUrl"));
    // A command that must replay keeps credentials and cookies: the label says so.
    m_contextMenu->addAction(tr("Copy as cURL (keeps cookies and credentials)"), this, &MainWindow::copyCurl)
        ->setObjectName(QStringLiteral("actionCopyCurl"));
    m_contextMenu->addAction(tr("Copy All Visible as cURL"), this, &MainWindow::copyAllVisibleCurl)
        ->setObjectName(QStringLiteral("actionCopyAllCurl"));
    m_contextMenu->addAction(tr("Copy Response Body"), this, &MainWindow::copyResponseBody)
        ->setObjectName(QStringLiteral("actionCopyResponse"));
    m_contextMenu->addAction(tr("Copy Request Headers"), this, &MainWindow::copyRequestHeaders)
        ->setObjectName(QStringLiteral("actionCopyRequestHeaders"));
    m_contextMenu->addAction(tr("Copy Response Headers"), this, &MainWindow::copyResponseHeaders)
        ->setObjectName(QStringLiteral("actionCopyResponseHeaders"));
    m_contextMenu->addAction(tr("Copy as HAR Entry (redacted)"), this, &MainWindow::copyHarEntry)
        ->setObjectName(QStringLiteral("actionCopyHarEntry"));
    m_contextMenu->addSeparator();
    QAction* compare = m_contextMenu->addAction(tr("Compare"), this, &MainWindow::compareSelected);
    compare->setObjectName(QStringLiteral("actionCompare"));
    compare->setToolTip(tr("Select two requests to compare them side by side"));
    connect(m_contextMenu, &QMenu::aboutToShow, this, [this, compare] { compare->setEnabled(selectedFlows().size() == 2); });
}

void MainWindow::applyFilter()
{
    m_filterTimer->stop();
    FilterError error;
    const auto filter = FlowFilter::compile(m_filterEdit->text(), &error);
    if (!filter) {
        // Shown in place; the table keeps the last good filter.
        m_filterError->setText(error.toString());
        m_filterError->show();
        return;
    }
    m_filterError->clear();
    m_filterError->hide();
    // The toggles are phrases of the same language, joined to the text only once it is known to be
    // valid on its own, so an error's column is always a column of what the user typed.
    QStringList parts;
    if (!filter->isEmpty())
        parts << QLatin1Char('(') + m_filterEdit->text() + QLatin1Char(')');
    QStringList types;
    for (const QAction* toggle : std::as_const(m_typeToggles))
        if (toggle->isChecked())
            types << QLatin1Char('(') + toggle->data().toString() + QLatin1Char(')');
    if (!types.isEmpty())
        parts << QLatin1Char('(') + types.join(QLatin1String(" or ")) + QLatin1Char(')');
    if (m_errorsOnly && m_errorsOnly->isChecked())
        parts << QStringLiteral("(status>=400 or status:0)");
    const auto combined = FlowFilter::compile(parts.join(QLatin1String(" and ")), nullptr);
    m_proxy->setFilter(combined ? *combined : *filter);
}

void MainWindow::updateStatus()
{
    m_countLabel->setText(tr("%1 / %2 requests").arg(m_proxy->rowCount()).arg(m_store->size()));
    m_lostLabel->setText(m_lostEvents ? tr("%n event(s) lost", nullptr, int(std::min<uint64_t>(m_lostEvents, INT_MAX))) : QString());
    m_lostLabel->setStyleSheet(m_lostEvents ? QStringLiteral("color: white; background: #d93f3f; padding: 0 4px;") : QString());
    m_lostLabel->setVisible(m_lostEvents != 0);
    m_dataLabel->setText(tr("%1 transferred").arg(QLocale().formattedDataSize(qint64(std::min<uint64_t>(m_bytes, INT64_MAX)))));
    m_incompleteLabel->setText(tr("%n incomplete", nullptr, m_incomplete));
    m_incompleteLabel->setVisible(m_incomplete != 0);
    m_errorLabel->setVisible(!m_errorLabel->text().isEmpty());
}

void MainWindow::showError(const QString& message)
{
    m_errorLabel->setText(message);
    updateStatus();
}

void MainWindow::selectionChanged()
{
    const QList<const Flow*> flows = selectedFlows();
    m_detail->setClock(m_clock);
    m_detail->setFlow(flows.size() == 1 ? flows.first() : nullptr);
}

QList<const Flow*> MainWindow::selectedFlows() const
{
    QList<const Flow*> result;
    for (const QModelIndex& index : m_flowView->selectionModel()->selectedRows())
        result << &m_store->at(index.data(FlowTableModel::FlowIndexRole).toInt());
    return result;
}

void MainWindow::clearFlows()
{
    m_detail->clear();
    m_store->clear();
    m_raw.clear();
    m_lostEvents = 0;
    m_followNewRows = true;
    m_bytes = 0;
    m_incomplete = 0;
    m_flowTotals.clear();
    m_errorLabel->clear();
    updateStatus();
}

bool MainWindow::loadRawCapture(const QByteArray& bytes, const QString& source, QString* error)
{
    clearFlows();
    RawCaptureParser parser([this](Flow&& flow) { m_store->append(std::move(flow)); });
    const bool ok = parser.feed(bytes);
    parser.finish();
    m_store->flush();
    m_clock = parser.clock();
    m_lostEvents = parser.lostEvents();
    m_raw = bytes;
    m_sourceLabel->setText(source);
    const QString problem = parser.errorString();
    if (error)
        *error = problem;
    showError(problem);
    return ok;
}

bool MainWindow::openFile(const QString& path, QString* error)
{
    QFile file(path);
    const QString name = QFileInfo(path).fileName();
    auto failed = [&](const QString& why) {
        const QString message = tr("Cannot open %1: %2").arg(name, why);
        if (error)
            *error = message;
        showError(message);
        return false;
    };
    if (!file.open(QIODevice::ReadOnly))
        return failed(file.errorString());
    const QByteArray bytes = file.read(kHarMaxBytes + 1);
    if (isRawCapture(bytes)) {
        QString problem;
        const bool ok = loadRawCapture(bytes, tr("Capture file %1").arg(name), &problem);
        return ok ? true : failed(problem);
    }
    QString why;
    const auto flows = readHar(bytes, &why);
    if (!flows)
        return failed(why);
    clearFlows();
    for (Flow flow : *flows)
        m_store->append(std::move(flow));
    m_store->flush();
    m_clock = CaptureClock();
    m_sourceLabel->setText(tr("HAR file %1").arg(name));
    return true;
}

void MainWindow::openDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Capture"), QString(),
        tr("Captures (*.httptap *.har);;httptap captures (*.httptap);;HTTP Archive (*.har);;All files (*)"));
    if (!path.isEmpty())
        openFile(path);
}

void MainWindow::saveDialog(const QString& title, const QString& filter,
    const std::function<bool(const QString&, QString*)>& save)
{
    const QString path = QFileDialog::getSaveFileName(this, title, QString(), filter);
    QString error;
    if (!path.isEmpty() && !save(path, &error))
        QMessageBox::warning(this, title, error);
}

namespace {

bool writeFile(const QString& path, const QByteArray& bytes, QString* error)
{
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size() && file.commit())
        return true;
    if (error)
        *error = QObject::tr("Cannot write %1: %2").arg(path, file.errorString());
    return false;
}

} // namespace

bool MainWindow::saveRawCapture(const QString& path, QString* error)
{
    if (m_raw.isEmpty()) {
        if (error)
            *error = tr("There is no raw capture to save (flows opened from a HAR file have none).");
        return false;
    }
    return writeFile(path, m_raw, error);
}

bool MainWindow::saveHar(const QString& path, QString* error, bool withSensitiveData)
{
    QList<Flow> flows;
    flows.reserve(m_store->size());
    for (int i = 0; i < m_store->size(); ++i)
        flows << m_store->at(i);
    HarOptions options;
    options.redact = !withSensitiveData;
    return writeFile(path, harBytes(flows, m_clock, options), error);
}

bool MainWindow::exportJsonl(const QString& path, QString* error)
{
    JsonlWriter writer;
    writer.setClock(m_clock);
    QByteArray bytes;
    for (int i = 0; i < m_store->size(); ++i)
        bytes += writer.line(m_store->at(i));
    return writeFile(path, bytes, error);
}

void MainWindow::copyUrl()
{
    QStringList urls;
    for (const Flow* f : selectedFlows())
        urls << f->url();
    QGuiApplication::clipboard()->setText(urls.join(QLatin1Char('\n')));
}

void MainWindow::copyCurl()
{
    QStringList commands;
    for (const Flow* f : selectedFlows())
        commands << curlCommand(*f);
    QGuiApplication::clipboard()->setText(commands.join(QLatin1String(" ;\n")));
}

void MainWindow::copyResponseBody()
{
    const QList<const Flow*> flows = selectedFlows();
    if (flows.isEmpty() || !flows.first()->hasResponse)
        return;
    const QByteArray body = DetailPane::displayBody(flows.first()->response);
    // Text goes to the clipboard as text; anything else as bytes under its media type.
    auto* mime = new QMimeData;
    if (looksLikeText(body))
        mime->setText(QString::fromUtf8(body));
    else
        mime->setData(QStringLiteral("application/octet-stream"), body);
    QGuiApplication::clipboard()->setMimeData(mime);
}

void MainWindow::compareSelected()
{
    const QList<const Flow*> flows = selectedFlows();
    if (flows.size() != 2) {
        statusBar()->showMessage(tr("Select exactly two requests to compare them."), 10'000);
        return;
    }
    auto* dialog = new CompareDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFlows(*flows[0], *flows[1]);
    dialog->show();
}

bool MainWindow::compareCaptures(const QString& leftPath, const QString& rightPath, QString* error)
{
    QString why;
    const auto left = readCaptureFile(leftPath, &why);
    const auto right = left ? readCaptureFile(rightPath, &why) : std::nullopt;
    if (!left || !right) {
        if (error)
            *error = why;
        showError(why);
        return false;
    }
    auto* dialog = new CompareDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setCaptures(*left, *right, QFileInfo(leftPath).fileName(), QFileInfo(rightPath).fileName());
    dialog->show();
    return true;
}

void MainWindow::compareCapturesDialog()
{
    const QString filter = tr("Captures (*.httptap *.har);;All files (*)");
    const QString left = QFileDialog::getOpenFileName(this, tr("Compare Captures: the first (older) capture"), QString(), filter);
    if (left.isEmpty())
        return;
    const QString right = QFileDialog::getOpenFileName(this, tr("Compare Captures: the second (newer) capture"),
        QFileInfo(left).absolutePath(), filter);
    QString error;
    if (!right.isEmpty() && !compareCaptures(left, right, &error))
        QMessageBox::warning(this, tr("Compare Captures"), error);
}

namespace {

// What one flow adds to the status bar's totals. An open flow (pending row) is not incomplete yet.
std::pair<uint64_t, bool> contribution(const Flow& flow)
{
    return { flow.request.bodySize + (flow.hasResponse ? flow.response.bodySize : 0),
        !flow.inProgress && FlowTableModel::completenessOf(flow) != FlowTableModel::Whole };
}

} // namespace

void MainWindow::countFlows(int first, int last)
{
    for (int i = first; i <= last; ++i) {
        const auto [bytes, incomplete] = contribution(m_store->at(i));
        m_flowTotals.push_back({ bytes, incomplete });
        m_bytes += bytes;
        m_incomplete += incomplete;
    }
    updateStatus();
}

// A flow replaced in place (an open exchange growing, then finishing) changes its contribution.
void MainWindow::recountFlows(const std::vector<int>& indices)
{
    for (int i : indices) {
        if (i < 0 || size_t(i) >= m_flowTotals.size())
            continue;
        FlowTotals& old = m_flowTotals[size_t(i)];
        const auto [bytes, incomplete] = contribution(m_store->at(i));
        m_bytes += bytes - old.bytes;
        m_incomplete += int(incomplete) - int(old.incomplete);
        old = { bytes, incomplete };
    }
    updateStatus();
}

QString MainWindow::errorText() const
{
    return m_errorLabel->text();
}

void MainWindow::copyAllVisibleCurl()
{
    QStringList commands;
    for (int row = 0; row < m_proxy->rowCount(); ++row)
        commands << curlCommand(m_store->at(m_proxy->index(row, 0).data(FlowTableModel::FlowIndexRole).toInt()));
    QGuiApplication::clipboard()->setText(commands.join(QLatin1String(" ;\n")));
}

namespace {

// The head as it went over the wire (HTTP/2 pseudo-headers as they were sent), decoded leniently.
QString headText(const QByteArray& firstLine, const HttpMessage& message)
{
    QByteArray head = firstLine + "\r\n";
    for (const auto& header : message.headers)
        head += header.name + ": " + header.value + "\r\n";
    return QString::fromUtf8(head);
}

} // namespace

void MainWindow::copyRequestHeaders()
{
    QStringList heads;
    for (const Flow* f : selectedFlows())
        heads << headText(f->request.method + ' ' + f->request.target + ' ' + f->httpVersion, f->request);
    QGuiApplication::clipboard()->setText(heads.join(QStringLiteral("\r\n")));
}

void MainWindow::copyResponseHeaders()
{
    QStringList heads;
    for (const Flow* f : selectedFlows())
        if (f->hasResponse)
            heads << headText(f->httpVersion + ' ' + QByteArray::number(f->response.status) + ' ' + f->response.reason,
                f->response);
    QGuiApplication::clipboard()->setText(heads.join(QStringLiteral("\r\n")));
}

void MainWindow::copyHarEntry()
{
    const QList<const Flow*> flows = selectedFlows();
    if (flows.isEmpty())
        return;
    QJsonArray entries;
    for (const Flow* f : flows)
        entries.append(harEntry(*f, m_clock));
    const QJsonDocument document = entries.size() == 1 ? QJsonDocument(entries.first().toObject()) : QJsonDocument(entries);
    QGuiApplication::clipboard()->setText(QString::fromUtf8(document.toJson(QJsonDocument::Indented)));
}

bool MainWindow::saveSelectionHar(const QString& path, QString* error)
{
    QList<Flow> flows;
    for (const Flow* f : selectedFlows())
        flows << *f;
    if (flows.isEmpty()) {
        if (error)
            *error = tr("No flow is selected: select rows in the table first.");
        return false;
    }
    return writeFile(path, harBytes(flows, m_clock), error);
}

bool MainWindow::dumpTable(const QString& path, QString* error) const
{
    QByteArray bytes;
    for (int row = 0; row < m_proxy->rowCount(); ++row) {
        QJsonObject cells;
        for (int column = 0; column < m_proxy->columnCount(); ++column)
            cells.insert(m_proxy->headerData(column, Qt::Horizontal).toString(), m_proxy->index(row, column).data().toString());
        bytes += QJsonDocument(cells).toJson(QJsonDocument::Compact) + '\n';
    }
    return writeFile(path, bytes, error);
}

namespace {

const QString kColumnsGroup = QStringLiteral("flowTable");

} // namespace

// Columns are remembered by title, not position, so a column added in a later version does not
// shift everyone's choice.
void MainWindow::saveSettings(QSettings& settings) const
{
    const QHeaderView* header = m_flowView->horizontalHeader();
    QStringList order, hidden;
    QVariantMap widths;
    for (int visual = 0; visual < header->count(); ++visual) {
        const int column = header->logicalIndex(visual);
        const QString title = m_model->headerData(column, Qt::Horizontal).toString();
        order << title;
        if (header->isSectionHidden(column))
            hidden << title;
        else
            widths.insert(title, header->sectionSize(column));
    }
    settings.beginGroup(kColumnsGroup);
    settings.setValue(QStringLiteral("order"), order);
    settings.setValue(QStringLiteral("hidden"), hidden);
    settings.setValue(QStringLiteral("widths"), widths);
    const int sorted = header->sortIndicatorSection();
    settings.setValue(QStringLiteral("sortColumn"),
        sorted >= 0 && sorted < m_model->columnCount() ? m_model->headerData(sorted, Qt::Horizontal).toString() : QString());
    settings.setValue(QStringLiteral("sortOrder"), int(header->sortIndicatorOrder()));
    settings.endGroup();
}

void MainWindow::restoreSettings(const QSettings& settings)
{
    QHash<QString, int> columnOf;
    for (int c = 0; c < m_model->columnCount(); ++c)
        columnOf.insert(m_model->headerData(c, Qt::Horizontal).toString(), c);
    const QString group = kColumnsGroup + QLatin1Char('/');
    QHeaderView* header = m_flowView->horizontalHeader();
    int visual = 0;
    for (const QString& title : settings.value(group + QStringLiteral("order")).toStringList())
        if (columnOf.contains(title))
            header->moveSection(header->visualIndex(columnOf[title]), visual++);
    const QStringList hidden = settings.value(group + QStringLiteral("hidden")).toStringList();
    for (auto it = columnOf.cbegin(); it != columnOf.cend(); ++it)
        header->setSectionHidden(it.value(), hidden.contains(it.key()));
    if (header->hiddenSectionCount() == header->count())
        header->setSectionHidden(FlowTableModel::NameColumn, false);
    const QVariantMap widths = settings.value(group + QStringLiteral("widths")).toMap();
    for (auto it = widths.cbegin(); it != widths.cend(); ++it)
        if (columnOf.contains(it.key()) && it.value().toInt() > 0)
            header->resizeSection(columnOf[it.key()], std::min(it.value().toInt(), 4000));
    const QString sorted = settings.value(group + QStringLiteral("sortColumn")).toString();
    const auto order = Qt::SortOrder(settings.value(group + QStringLiteral("sortOrder")).toInt() == Qt::DescendingOrder);
    if (columnOf.contains(sorted))
        m_flowView->sortByColumn(columnOf[sorted], order);
}

QMenu* MainWindow::createColumnMenu(QWidget* parent)
{
    auto* menu = new QMenu(parent);
    menu->setObjectName(QStringLiteral("columnMenu"));
    QHeaderView* header = m_flowView->horizontalHeader();
    for (int column = 0; column < m_model->columnCount(); ++column) {
        QAction* toggle = menu->addAction(m_model->headerData(column, Qt::Horizontal).toString());
        toggle->setCheckable(true);
        toggle->setChecked(!header->isSectionHidden(column));
        toggle->setData(column);
        connect(toggle, &QAction::toggled, this, [this, header, column](bool shown) {
            // The last visible column stays: a table without columns cannot be right-clicked back.
            if (!shown && header->count() - header->hiddenSectionCount() <= 1)
                return;
            header->setSectionHidden(column, !shown);
            if (shown && header->sectionSize(column) < 20)
                header->resizeSection(column, 100);
        });
    }
    menu->addSeparator();
    menu->addAction(tr("Reset Columns"), this, &MainWindow::resetColumns)->setObjectName(QStringLiteral("actionResetColumns"));
    return menu;
}

void MainWindow::resetColumns()
{
    QHeaderView* header = m_flowView->horizontalHeader();
    for (int column = 0; column < header->count(); ++column) {
        header->moveSection(header->visualIndex(column), column);
        header->setSectionHidden(column, false);
    }
    // Default widths, in column order.
    const int widths[] = { 240, 64, 104, 150, 70, 72, 72, 110, 74, 130, 80, 180, 200 }; // Status holds "101 · 42 msgs"
    for (int c = 0; c < header->count(); ++c)
        header->resizeSection(c, c < int(std::size(widths)) ? widths[c] : 100);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About httptap"),
        tr("<h3>httptap %1</h3>"
           "<p>Shows the HTTP traffic of a running process — requests and responses, headers and bodies, "
           "plaintext and TLS — read with eBPF, without a proxy or certificates.</p>")
            .arg(QStringLiteral(HTTPTAP_VERSION)));
}

} // namespace httptap
